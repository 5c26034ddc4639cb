<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Tests\MarketplaceTestCase;
use MiraklConnector\Tests\Site;

/**
 * The ways today's shops change stock besides the product screen, each followed to the
 * marketplace: an order placed through the block-based Checkout (the Store API, WooCommerce's
 * default since 8.3) over HTTP on PHP's built-in server, a REST API `PUT /wc/v3/products/<id>`
 * (what ERPs and inventory apps send), the product CSV importer, and a refund that restocks. Each
 * pushes the changed SKU with its new quantity in a STO01 the sandbox received.
 */
final class StockPathsTest extends MarketplaceTestCase
{
    /** @var resource|null The built-in server serving the test site (Store API test). */
    private static $server = null;

    public static function tearDownAfterClass(): void
    {
        if (self::$server !== null) {
            proc_terminate(self::$server);
            proc_close(self::$server);
            self::$server = null;
        }
        parent::tearDownAfterClass();
    }

    /** A product with a SKU and stock, and the same offer in the sandbox. */
    private function offeredProduct(int $stock, bool $virtual = false): \WC_Product_Simple
    {
        $prefix = $this->skuPrefix();
        $product = $this->simpleProduct("$prefix-S", $stock);
        if ($virtual) {
            $product->set_virtual(true);
            $product->save();
        }
        $this->sandbox()->console('POST', '/offers', [['sku' => "$prefix-S", 'price' => '19.90', 'quantity' => $stock]]);
        return $product;
    }

    /**
     * The catalogue as it stands goes to the marketplace first: the engine exports the new offer
     * (OF01, with its quantity). A SKU that then runs out is pushed in the next STO01 slot (other
     * changes of a SKU never pushed wait for the push interval, minutes): each test ends at 0.
     */
    private function startFromHere(): void
    {
        $this->changes()->flush();
        $this->tick();
    }

    /**
     * Ticks (at most three times) until the sandbox's offer for the SKU has the quantity; asserts it
     * came in a STO01 import the sandbox received.
     */
    private function assertPushed(string $sku, int $quantity): void
    {
        $stockImports = fn (): array => array_values(array_filter($this->sandbox()->state()['imports'], static fn ($i) => $i['kind'] === 'STOCK'));
        $before = count($stockImports());
        $seen = null;
        $calls = [];
        for ($tick = 1; $tick <= 3; $tick++) {
            $calls[] = $this->tick()['api_calls'] ?? null;
            $seen = $this->sandbox()->offer($sku)['quantity'] ?? null;
            if ($seen === $quantity) {
                break;
            }
        }
        $this->assertSame($quantity, $seen, "the sandbox's offer $sku has the new quantity");
        // STO01 (POST /api/offers/stock/imports) is recorded by the sandbox as a STOCK import.
        $imports = array_slice($stockImports(), $before);
        $this->assertNotEmpty($imports, 'the quantity came in a new STO01 import; calls per tick: ' . json_encode($calls)
            . '; imports: ' . json_encode($this->sandbox()->state()['imports']));
        $this->assertGreaterThanOrEqual(1, max(array_column($imports, 'lines_in_success')), json_encode($imports));
    }

    public function test_an_order_placed_through_the_store_api_checkout_pushes_the_sku(): void
    {
        $this->connect();
        update_option('woocommerce_bacs_settings', ['enabled' => 'yes', 'title' => 'Bank transfer'], true);
        $product = $this->offeredProduct(3, true);
        $sku = $product->get_sku();
        $this->startFromHere();
        $http = $this->storefront();

        $cart = $http('GET', '/wp-json/wc/store/v1/cart');
        $this->assertSame(200, $cart['status'], $cart['body']);
        $added = $http('POST', '/wp-json/wc/store/v1/cart/add-item', ['id' => $product->get_id(), 'quantity' => 3]);
        $this->assertContains($added['status'], [200, 201], $added['body']);
        $address = ['first_name' => 'Ada', 'last_name' => 'Shopper', 'address_1' => '1 Rue de la Paix', 'city' => 'Paris',
            'postcode' => '75002', 'country' => 'FR', 'email' => 'ada@example.com', 'phone' => '0102030405'];
        $placed = $http('POST', '/wp-json/wc/store/v1/checkout', [
            'billing_address' => $address, 'shipping_address' => array_diff_key($address, ['email' => 1]),
            'payment_method' => 'bacs',
        ]);
        $this->assertSame(200, $placed['status'], 'Store API checkout: ' . $placed['body']);
        $order = json_decode($placed['body'], true);
        $this->assertNotEmpty($order['order_id'] ?? null, $placed['body']);

        wp_cache_flush();
        $this->assertSame(0, $this->stockOf($product->get_id()), 'the checkout reduced the stock');
        $this->assertPushed($sku, 0);
    }

    public function test_a_rest_api_stock_update_pushes_the_sku(): void
    {
        $this->connect();
        $product = $this->offeredProduct(10);
        $this->startFromHere();
        $admins = get_users(['role' => 'administrator', 'number' => 1, 'orderby' => 'ID']);
        $previous = get_current_user_id();
        wp_set_current_user($admins[0]->ID);
        try {
            $request = new \WP_REST_Request('PUT', '/wc/v3/products/' . $product->get_id());
            $request->set_header('Content-Type', 'application/json');
            $request->set_body(json_encode(['manage_stock' => true, 'stock_quantity' => 0]));
            $response = rest_do_request($request);
        } finally {
            wp_set_current_user($previous);
        }
        $this->assertSame(200, $response->get_status(), json_encode($response->get_data()));
        $this->assertSame(0, $this->stockOf($product->get_id()));
        $this->assertSame([$product->get_sku() => 0], $this->changes()->pending()['stock']);
        $this->assertPushed($product->get_sku(), 0);
    }

    public function test_the_product_csv_importer_pushes_the_sku(): void
    {
        $this->connect();
        $product = $this->offeredProduct(10);
        $this->startFromHere();
        require_once WC_ABSPATH . 'includes/import/class-wc-product-csv-importer.php';
        $base = tempnam(get_temp_dir(), 'mirakl-import');
        $file = "$base.csv"; // the importer wants a .csv name
        file_put_contents($file, "SKU,Stock\n{$product->get_sku()},0\n");
        try {
            $importer = new \WC_Product_CSV_Importer($file, [
                'update_existing' => true,
                'mapping' => ['SKU' => 'sku', 'Stock' => 'stock_quantity'],
                'parse' => true,
                'prevent_timeouts' => false,
            ]);
            $results = $importer->import();
        } finally {
            @unlink($file);
            @unlink($base);
        }
        $this->assertCount(1, $results['updated'] ?? [], 'the importer updated the product: ' . json_encode($results));
        $this->assertSame([], $results['failed'] ?? [], json_encode($results));
        wp_cache_flush();
        $this->assertSame(0, $this->stockOf($product->get_id()));
        $this->assertSame([$product->get_sku() => 0], $this->changes()->pending()['stock']);
        $this->assertPushed($product->get_sku(), 0);
    }

    public function test_a_refund_that_restocks_pushes_the_sku(): void
    {
        $this->connect();
        // One left, backorders allowed: an order of two takes it to -1, the refund of one back to 0.
        $product = $this->offeredProduct(1);
        $product->set_backorders('yes');
        $product->save();
        $this->startFromHere();
        $order = wc_create_order();
        $order->add_product(wc_get_product($product->get_id()), 2);
        $order->set_billing_email('shopper@example.com');
        $order->calculate_totals();
        $order->payment_complete();
        $this->assertSame(-1, $this->stockOf($product->get_id()));

        $order = wc_get_order($order->get_id());
        $items = $order->get_items();
        $item = reset($items);
        $refund = wc_create_refund([
            'order_id' => $order->get_id(),
            'amount' => wc_format_decimal((float) $item->get_total() / 2 + (float) $item->get_total_tax() / 2),
            'reason' => 'one returned',
            'line_items' => [$item->get_id() => ['qty' => 1, 'refund_total' => (float) $item->get_total() / 2,
                'refund_tax' => []]],
            'restock_items' => true,
        ]);
        $this->assertInstanceOf(\WC_Order_Refund::class, $refund, is_wp_error($refund) ? $refund->get_error_message() : '');
        $this->assertSame(0, $this->stockOf($product->get_id()), 'the refund put one back in stock');
        $this->assertSame([$product->get_sku() => 0], $this->changes()->pending()['stock'], 'the restock is the last stock event');
        $this->assertPushed($product->get_sku(), 0);
    }

    /**
     * A shopper's browser on the test site: starts PHP's built-in server on the site's own port
     * (extension loaded as in this process) once, and returns a function making requests with the
     * shopper's cookies and the Store API's nonce, answering ['status' => int, 'body' => string].
     */
    private function storefront(): callable
    {
        $home = home_url();
        $port = (int) parse_url($home, PHP_URL_PORT);
        if (self::$server === null) {
            $php = getenv('MIRAKL_TEST_PHP') ?: PHP_BINARY;
            $command = [$php, '-d', 'extension=' . Site::extensionPath(), '-S', "127.0.0.1:$port", '-t', Site::dir(), Site::dir() . '/router.php'];
            self::$server = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
            $this->assertIsResource(self::$server, 'the built-in server started');
            $deadline = microtime(true) + 15;
            while (!@fsockopen('127.0.0.1', $port, $errno, $errstr, 0.2)) {
                $this->assertLessThan($deadline, microtime(true), "the built-in server listens on $port");
                usleep(100000);
            }
        }
        $curl = curl_init();
        curl_setopt_array($curl, [CURLOPT_COOKIEFILE => '', CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60, CURLOPT_HEADER => true]);
        $nonce = '';
        return function (string $method, string $path, ?array $body = null) use ($curl, $home, &$nonce): array {
            $headers = ['Accept: application/json'];
            if ($nonce !== '') {
                $headers[] = "Nonce: $nonce";
            }
            if ($body !== null) {
                $headers[] = 'Content-Type: application/json';
            }
            curl_setopt_array($curl, [CURLOPT_URL => $home . $path, CURLOPT_HTTPHEADER => $headers]);
            if ($body === null) {
                curl_setopt($curl, CURLOPT_HTTPGET, true);
            } else {
                curl_setopt($curl, CURLOPT_POSTFIELDS, json_encode($body));
            }
            curl_setopt($curl, CURLOPT_CUSTOMREQUEST, $method);
            $answer = curl_exec($curl);
            $this->assertIsString($answer, "$method $path: " . curl_error($curl));
            $split = curl_getinfo($curl, CURLINFO_HEADER_SIZE);
            if (preg_match('/^Nonce:\s*(\S+)/mi', substr($answer, 0, $split), $match)) {
                $nonce = $match[1];
            }
            return ['status' => curl_getinfo($curl, CURLINFO_RESPONSE_CODE), 'body' => substr($answer, $split)];
        };
    }
}
