<?php
/**
 * The local demo's marketplace side, for build/run (no WP-CLI needed):
 *
 *   php -d extension=... demo.php SITE seed CONSOLE_URL [STOCK]
 *                                                        products with SKUs in WooCommerce (kept
 *                                                        between runs) and the same SKUs as offers
 *                                                        in the sandbox, with WooCommerce's stock
 *                                                        (STOCK units of each, when given)
 *   php -d extension=... demo.php SITE tick              one tick of the connector's runner; prints
 *                                                        a one-line summary when something ran
 *
 * Exits 1 with a message on stderr when the step fails.
 */
if (PHP_SAPI !== 'cli' || $argc < 3) {
    fwrite(STDERR, "usage: php demo.php SITE seed CONSOLE_URL | tick\n");
    exit(2);
}
[, $site, $command] = $argv;
$_SERVER['REQUEST_URI'] = '/';
require $site . '/wp-load.php';

function demo_fail(string $message): void
{
    fwrite(STDERR, "demo: $message\n");
    exit(1);
}

if (!class_exists('WooCommerce')) {
    demo_fail('WooCommerce is not active: nothing to seed or tick');
}
$runner = class_exists('MiraklConnector\\Runner\\Runner') ? MiraklConnector\Runner\Runner::current() : null;
if ($runner === null) {
    demo_fail('the connector is not running (requirements unmet: see the admin notice)');
}

switch ($command) {
    case 'seed':
        $console = rtrim((string) ($argv[3] ?? ''), '/');
        $every = isset($argv[4]) ? max(0, (int) $argv[4]) : null;
        $catalogue = [
            ['DEMO-MUG', 'Enamel mug', '12.90', 40],
            ['DEMO-TOTE', 'Canvas tote bag', '19.90', 25],
            ['DEMO-LAMP', 'Desk lamp', '49.00', 8],
            ['DEMO-NOTEBOOK', 'Dotted notebook', '8.50', 60],
        ];
        $offers = [];
        foreach ($catalogue as [$sku, $name, $price, $stock]) {
            $id = wc_get_product_id_by_sku($sku);
            $product = $id ? wc_get_product($id) : new WC_Product_Simple();
            if (!$id) {
                $product->set_name($name);
                $product->set_sku($sku);
                $product->set_regular_price($price);
                $product->set_manage_stock(true);
                $product->set_stock_quantity($stock);
                $product->set_status('publish');
                $product->save();
            }
            if ($every !== null) {
                wc_update_product_stock($product, $every);
            }
            $offers[] = ['sku' => $sku, 'price' => $product->get_price(), 'quantity' => $every ?? (int) $product->get_stock_quantity(), 'title' => $product->get_name()];
        }
        $id = wc_get_product_id_by_sku('DEMO-TEE');
        if (!$id) {
            $attribute = new WC_Product_Attribute();
            $attribute->set_name('Size');
            $attribute->set_options(['S', 'M', 'L']);
            $attribute->set_visible(true);
            $attribute->set_variation(true);
            $tee = new WC_Product_Variable();
            $tee->set_name('Organic T-shirt');
            $tee->set_sku('DEMO-TEE');
            $tee->set_attributes([$attribute]);
            $tee->set_status('publish');
            $tee->save();
            foreach (['S' => 12, 'M' => 20, 'L' => 10] as $size => $stock) {
                $variation = new WC_Product_Variation();
                $variation->set_parent_id($tee->get_id());
                $variation->set_attributes(['size' => $size]);
                $variation->set_sku("DEMO-TEE-$size");
                $variation->set_regular_price('24.00');
                $variation->set_manage_stock(true);
                $variation->set_stock_quantity($stock);
                $variation->set_status('publish');
                $variation->save();
            }
        }
        foreach (['S', 'M', 'L'] as $size) {
            $variation = wc_get_product(wc_get_product_id_by_sku("DEMO-TEE-$size"));
            if ($every !== null) {
                wc_update_product_stock($variation, $every);
            }
            $offers[] = ['sku' => "DEMO-TEE-$size", 'price' => $variation->get_price(), 'quantity' => $every ?? (int) $variation->get_stock_quantity(), 'title' => $variation->get_name()];
        }
        $context = stream_context_create(['http' => [
            'method' => 'POST', 'header' => "Content-Type: application/json\r\n",
            'content' => json_encode($offers), 'ignore_errors' => true, 'timeout' => 10,
        ]]);
        $answer = @file_get_contents("$console/offers", false, $context);
        if ($answer === false || !str_contains((string) ($http_response_header[0] ?? ''), ' 201')) {
            demo_fail("the sandbox refused the offers: " . ($http_response_header[0] ?? 'no answer') . " $answer");
        }
        update_option('mirakl_connector_sync_settings', array_merge(
            (array) get_option('mirakl_connector_sync_settings', []),
            ['carrier_map' => ['DHL Express' => 'DHL', 'Colissimo' => 'COLISSIMO']]
        ), false);
        update_option('mirakl_connector_shop_settings', array_merge(
            (array) get_option('mirakl_connector_shop_settings', []),
            ['marketplace_name' => 'Sandbox marketplace']
        ), false);
        printf("seeded %d products with SKUs and their offers in the sandbox\n", count($offers));
        break;

    case 'tick':
        try {
            $report = $runner->tick();
        } catch (Throwable $e) {
            demo_fail($e->getMessage());
        }
        if (!empty($report['jobs']) || !empty($report['api_calls'])) {
            printf("[%s] %s\n", gmdate('H:i:s'), MiraklConnector\Cli\Command::summarise_tick($report));
        }
        break;

    default:
        demo_fail("unknown command $command");
}
