<?php

namespace MiraklConnector\Tests;

use MiraklConnector\Runner\Runner;
use MiraklConnector\Shop\WooShop;

/**
 * Base class of the WooCommerce-tier tests of the connector: products with SKUs, a fresh state
 * file per test (the engine's per-API call budgets live in it, so each scenario starts with its
 * own), the settings the test wants, and helpers to tick the runner and read orders back.
 */
abstract class MarketplaceTestCase extends PluginTestCase
{
    protected static ?SandboxServer $sandbox = null;

    /** @var array<string, mixed> Option name => value before the test. */
    private array $savedOptions = [];

    protected function setUp(): void
    {
        parent::setUp();
        $this->assertNotNull(Runner::current(), 'the plugin booted with its requirements met and registered its runner');
        foreach (['mirakl_connector_settings', 'mirakl_connector_sync_settings', 'mirakl_connector_shop_settings', 'mirakl_connector_state_secret'] as $option) {
            $this->savedOptions[$option] = get_option($option, null);
        }
        // A fresh state file: its own job queue, order map and call budgets.
        update_option('mirakl_connector_state_secret', bin2hex(random_bytes(16)), false);
        update_option('woocommerce_manage_stock', 'yes');
        $this->bridge()->reset();
    }

    protected function tearDown(): void
    {
        $this->changes()->flush();
        $dir = \MiraklConnector\StateDirectory::path();
        foreach ($this->savedOptions as $option => $value) {
            if ($value === null) {
                delete_option($option);
            } else {
                update_option($option, $value, false);
            }
        }
        $this->bridge()->reset();
        foreach (glob($dir . '/{,.}*', GLOB_BRACE) ?: [] as $file) {
            if (is_file($file)) {
                @unlink($file);
            }
        }
        @rmdir($dir);
        parent::tearDown();
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$sandbox !== null) {
            self::$sandbox->stop();
            self::$sandbox = null;
        }
        parent::tearDownAfterClass();
    }

    /** The class's sandbox, started on first use. */
    protected function sandbox(array $config = []): SandboxServer
    {
        if (self::$sandbox === null) {
            self::$sandbox = new SandboxServer('test-key-' . bin2hex(random_bytes(4)), $config);
        }
        return self::$sandbox;
    }

    /** Points the plugin at the sandbox, with these sync settings. */
    protected function connect(array $sync = []): SandboxServer
    {
        $sandbox = $this->sandbox();
        update_option('mirakl_connector_settings', ['api_url' => $sandbox->baseUrl, 'api_key' => $sandbox->apiKey], false);
        update_option('mirakl_connector_sync_settings', $sync, false);
        $this->bridge()->reset();
        return $sandbox;
    }

    protected function bridge(): \MiraklConnector\Native\Bridge
    {
        return Runner::current()->bridge();
    }

    protected function changes(): \MiraklConnector\Hooks\ChangeMap
    {
        return Runner::current()->changes();
    }

    /** Hands this request's events over, then runs one tick. */
    protected function tick(int $budgetMs = 30000): array
    {
        $report = Runner::current()->tick($budgetMs);
        $this->assertTrue($report['ran'], 'the tick ran: ' . json_encode($report));
        return $report;
    }

    /** Sleeps until `$seconds` after `$since` (microtime), for the engine's next OR11 slot. */
    protected function waitUntil(float $since, float $seconds): void
    {
        $left = $since + $seconds - microtime(true);
        if ($left > 0) {
            usleep((int) ($left * 1e6));
        }
    }

    /** A simple product with a SKU, managed stock and a price. */
    protected function simpleProduct(string $sku, int $stock, string $price = '19.90'): \WC_Product_Simple
    {
        $product = new \WC_Product_Simple();
        $product->set_name("Product $sku");
        $product->set_sku($sku);
        $product->set_regular_price($price);
        $product->set_manage_stock(true);
        $product->set_stock_quantity($stock);
        $product->set_status('publish');
        $product->save();
        return $product;
    }

    /**
     * A variable product (no SKU of its own used) with one variation per size, each with its own
     * SKU and stock.
     *
     * @param array<string, int> $stockBySize size => stock; variation SKU = "$skuPrefix-$size"
     * @return array{parent: \WC_Product_Variable, variations: array<string, \WC_Product_Variation>}
     */
    protected function variableProduct(string $skuPrefix, array $stockBySize, string $price = '30.00'): array
    {
        $attribute = new \WC_Product_Attribute();
        $attribute->set_name('Size');
        $attribute->set_options(array_keys($stockBySize));
        $attribute->set_visible(true);
        $attribute->set_variation(true);
        $parent = new \WC_Product_Variable();
        $parent->set_name("Shirt $skuPrefix");
        $parent->set_sku($skuPrefix);
        $parent->set_attributes([$attribute]);
        $parent->set_status('publish');
        $parent->save();
        $variations = [];
        foreach ($stockBySize as $size => $stock) {
            $variation = new \WC_Product_Variation();
            $variation->set_parent_id($parent->get_id());
            $variation->set_attributes(['size' => (string) $size]);
            $variation->set_sku("$skuPrefix-$size");
            $variation->set_regular_price($price);
            $variation->set_manage_stock(true);
            $variation->set_stock_quantity($stock);
            $variation->set_status('publish');
            $variation->save();
            $variations[(string) $size] = $variation;
        }
        return ['parent' => wc_get_product($parent->get_id()), 'variations' => $variations];
    }

    protected function stockOf(int $productId): ?int
    {
        $product = wc_get_product($productId);
        return $product->get_stock_quantity() === null ? null : (int) $product->get_stock_quantity();
    }

    /** The WooCommerce order made for a Mirakl order, or null. */
    protected function orderFor(string $miraklOrderId): ?\WC_Order
    {
        $found = (new WooShop())->find_order_by_mirakl_id($miraklOrderId);
        return $found ? wc_get_order($found['id']) : null;
    }

    /** A unique SKU prefix per test, so tests never share products. */
    protected function skuPrefix(): string
    {
        return 'T' . strtoupper(bin2hex(random_bytes(3)));
    }
}
