<?php
/**
 * An in-memory shop for the extension smoke scripts: the PHP twin of the core's MemoryShop,
 * implementing the plugin's Shop interface with plain arrays. It can be told to throw.
 */

declare(strict_types=1);

defined('ABSPATH') || define('ABSPATH', __DIR__ . '/');
require_once repo_root() . '/plugin/src/Shop/Shop.php';
require_once repo_root() . '/plugin/src/Shop/ShopRejected.php';

use MiraklConnector\Shop\Shop;
use MiraklConnector\Shop\ShopRejected;

class MemoryShop implements Shop
{
    /** @var array<string, int> */
    public array $stock = [];
    /** @var array<int, array> */
    public array $orders = [];
    /** @var array<int, string[]> */
    public array $notes = [];
    /** @var array<string, int> */
    public array $calls = [];
    /** Method name => Throwable to throw on its next call. */
    public array $fail_next = [];
    /** Called from create_order, to re-enter the engine the way WooCommerce hooks do. */
    public $on_create = null;
    private int $next_id = 100;

    private function enter(string $method): void
    {
        $this->calls[$method] = ($this->calls[$method] ?? 0) + 1;
        if (isset($this->fail_next[$method])) {
            $error = $this->fail_next[$method];
            unset($this->fail_next[$method]);
            throw $error;
        }
    }

    public function read_stock(array $skus): array
    {
        $this->enter(__FUNCTION__);
        $levels = [];
        foreach ($skus as $sku) {
            if (isset($this->stock[$sku])) {
                $levels[] = ['sku' => $sku, 'quantity' => $this->stock[$sku]];
            }
        }
        return $levels;
    }

    public function read_offers(array $skus): array
    {
        $this->enter(__FUNCTION__);
        $offers = [];
        foreach ($skus as $sku) {
            if (isset($this->stock[$sku])) {
                $offers[] = ['product_id' => crc32($sku), 'sku' => $sku, 'title' => "Product $sku", 'price' => '19.90',
                    'product_reference' => null, 'quantity' => $this->stock[$sku], 'description' => null];
            }
        }
        return $offers;
    }

    public function read_catalogue(?string $after, int $limit): array
    {
        $this->enter(__FUNCTION__);
        $skus = array_keys($this->stock);
        sort($skus);
        $skus = array_values(array_filter($skus, fn ($sku) => $after === null || strcmp((string) $sku, $after) > 0));
        $page = array_slice($skus, 0, $limit);
        return ['items' => $this->read_offers($page), 'next' => count($skus) > $limit ? end($page) : null];
    }

    public function find_order_by_mirakl_id(string $mirakl_order_id): ?array
    {
        $this->enter(__FUNCTION__);
        foreach ($this->orders as $id => $order) {
            if ($order['draft']['mirakl_order_id'] === $mirakl_order_id) {
                return ['id' => $id, 'status' => $order['status']];
            }
        }
        return null;
    }

    public function mirakl_order_id_of(int $order_id): ?string
    {
        $this->enter(__FUNCTION__);
        return isset($this->orders[$order_id]) ? (string) $this->orders[$order_id]['draft']['mirakl_order_id'] : null;
    }

    public function marketplace_orders(int $since, int $page, int $per_page): array
    {
        $this->enter(__FUNCTION__);
        $ids = array_keys($this->orders);
        sort($ids);
        $rows = [];
        foreach (array_slice($ids, ($page - 1) * $per_page, $per_page) as $id) {
            $rows[] = [
                'id' => $id,
                'mirakl_order_id' => (string) $this->orders[$id]['draft']['mirakl_order_id'],
                'status' => (string) $this->orders[$id]['status'],
                'modified_at' => gmdate('Y-m-d\TH:i:s\Z'),
                'refunds' => [],
            ];
        }
        return ['orders' => $rows, 'more' => count($ids) > $page * $per_page];
    }

    public function create_order(array $draft): int
    {
        $this->enter(__FUNCTION__);
        foreach ($draft['lines'] as $line) {
            if (!isset($this->stock[$line['sku']])) {
                throw new ShopRejected("unknown SKU {$line['sku']}");
            }
        }
        foreach ($draft['lines'] as $line) {
            $this->stock[$line['sku']] -= $line['quantity'];
        }
        $id = $this->next_id++;
        $this->orders[$id] = ['draft' => $draft, 'status' => $draft['status']];
        if ($this->on_create) {
            ($this->on_create)($draft);
        }
        return $id;
    }

    public function set_order_status(int $order_id, string $status): void
    {
        $this->enter(__FUNCTION__);
        $this->orders[$order_id]['status'] = $status;
    }

    public function update_order_addresses(int $order_id, ?array $billing, ?array $shipping): void
    {
        $this->enter(__FUNCTION__);
        if ($billing !== null) {
            $this->orders[$order_id]['draft']['billing_address'] = $billing;
        }
        if ($shipping !== null) {
            $this->orders[$order_id]['draft']['shipping_address'] = $shipping;
        }
    }

    public function add_order_note(int $order_id, string $note): void
    {
        $this->enter(__FUNCTION__);
        $this->notes[$order_id][] = $note;
    }

    public function cancel_order(int $order_id, string $reason): void
    {
        $this->enter(__FUNCTION__);
        if (($this->orders[$order_id]['status'] ?? '') === 'cancelled') {
            return;
        }
        foreach ($this->orders[$order_id]['draft']['lines'] as $line) {
            $this->stock[$line['sku']] += $line['quantity'];
        }
        $this->orders[$order_id]['status'] = 'cancelled';
    }

    public function read_tracking(int $order_id): ?array
    {
        $this->enter(__FUNCTION__);
        return $this->orders[$order_id]['tracking'] ?? null;
    }

    public function read_refund(int $refund_id): ?array
    {
        $this->enter(__FUNCTION__);
        return null;
    }

    public function record_marketplace_refund(int $order_id, array $refund): int
    {
        $this->enter(__FUNCTION__);
        return 1;
    }
}
