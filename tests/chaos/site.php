<?php
/**
 * The chaos tier's shop side: one WordPress request per call, run by tests/chaos/driver.php as
 * `php -d extension=... site.php SITE COMMAND [ARGS]` (the same way build/lib/demo.php ticks).
 *
 *   complete KILL                completes a random processing (else on-hold) marketplace order
 *                                with tracking;
 *                                prints "completed WC_ID MIRAKL_ID TRACKING"
 *   refund KILL [WC_ID] [AT]     refunds one unit of a line of a random (or the given) marketplace
 *                                order (processing or completed, else on-hold), at the Unix time AT when given (two processes with the
 *                                same AT make two refunds at the same instant); prints
 *                                "refunded WC_ID REFUND_ID AMOUNT"
 *   pair-candidate               prints the id of an order with two units left to refund
 *   stock SKU DELTA              changes a product's stock by DELTA
 *   snapshot                     prints the shop's and the connector's view as JSON
 *
 * With KILL 1, the request SIGKILLs itself once the change is saved: `shutdown` never runs, as
 * when PHP-FPM kills a worker or the machine stops. Prints nothing and exits 3 when there is no
 * order to act on.
 */
if (PHP_SAPI !== 'cli' || $argc < 3) {
    fwrite(STDERR, "usage: php site.php SITE COMMAND [ARGS]\n");
    exit(2);
}
[, $site, $command] = $argv;
$args = array_slice($argv, 3);
$_SERVER['REQUEST_URI'] = '/';
require $site . '/wp-load.php';

const CHAOS_CARRIER = 'DHL Express';

function chaos_fail(string $message): void
{
    fwrite(STDERR, "chaos site: $message\n");
    exit(1);
}

/** Ends the request the hard way once the change is saved, or lets it end normally. */
function chaos_end(bool $kill): void
{
    if ($kill) {
        posix_kill(getmypid(), SIGKILL);
    }
}

/** @return WC_Order[] Marketplace orders in the given statuses, newest first. */
function chaos_orders(array $statuses): array
{
    return array_values(array_filter(
        wc_get_orders(['type' => 'shop_order', 'status' => $statuses, 'limit' => -1, 'orderby' => 'ID', 'order' => 'DESC']),
        static fn ($order) => '' !== (string) $order->get_meta('_mirakl_order_id')
    ));
}

/** @return array<int, int> Units left to refund per line item id of an order. */
function chaos_refundable(WC_Order $order): array
{
    $left = [];
    foreach ($order->get_items() as $item_id => $item) {
        $units = (int) $item->get_quantity() + (int) $order->get_qty_refunded_for_item($item_id);
        if ($units > 0) {
            $left[$item_id] = $units;
        }
    }
    return $left;
}

function chaos_refund(WC_Order $order, float $at): void
{
    $left = chaos_refundable($order);
    if (!$left) {
        exit(3);
    }
    $item_id = array_rand($left);
    $item = $order->get_item($item_id);
    $quantity = max(1, (int) $item->get_quantity());
    $total = round((float) $item->get_total() / $quantity, 2);
    $taxes = [];
    foreach ((array) ($item->get_taxes()['total'] ?? []) as $rate => $tax) {
        $taxes[$rate] = round((float) $tax / $quantity, 2);
    }
    $amount = $total + array_sum($taxes);
    while ($at > microtime(true)) {
        usleep(2000);
    }
    $refund = wc_create_refund([
        'order_id' => $order->get_id(),
        'amount' => wc_format_decimal($amount, 2),
        'reason' => 'chaos tier',
        'line_items' => [$item_id => ['qty' => 1, 'refund_total' => $total, 'refund_tax' => $taxes]],
        'refund_payment' => false,
        'restock_items' => false,
    ]);
    if (is_wp_error($refund)) {
        chaos_fail('refund refused: ' . $refund->get_error_message());
    }
    printf("refunded %d %d %s\n", $order->get_id(), $refund->get_id(), wc_format_decimal($amount, 2));
}

$runner = class_exists('MiraklConnector\\Runner\\Runner') ? MiraklConnector\Runner\Runner::current() : null;
if ($runner === null || !class_exists('WooCommerce')) {
    chaos_fail('WooCommerce or the connector is not running');
}
$bridge = $runner->bridge();

switch ($command) {
    case 'complete':
        // Processing orders first; on-hold ones (accepted, the debit not seen yet) otherwise.
        $orders = chaos_orders(['processing']) ?: chaos_orders(['on-hold']);
        if (!$orders) {
            exit(3);
        }
        $order = $orders[array_rand($orders)];
        $tracking = 'CHAOS' . $order->get_id();
        $order->update_meta_data('_mirakl_carrier', CHAOS_CARRIER);
        $order->update_meta_data('_mirakl_tracking_number', $tracking);
        $order->set_status('completed', 'Shipped (chaos tier).');
        $order->save();
        printf("completed %d %s %s\n", $order->get_id(), $order->get_meta('_mirakl_order_id'), $tracking);
        chaos_end(($args[0] ?? '0') === '1');
        break;

    case 'refund':
        $at = (float) ($args[2] ?? 0);
        if (($args[1] ?? '') !== '') {
            $order = wc_get_order((int) $args[1]);
        } else {
            $orders = array_filter(chaos_orders(['processing', 'completed']), 'chaos_refundable')
                ?: array_filter(chaos_orders(['on-hold']), 'chaos_refundable');
            $order = $orders ? $orders[array_rand($orders)] : null;
        }
        if (!$order instanceof WC_Order) {
            exit(3);
        }
        chaos_refund($order, $at);
        chaos_end(($args[0] ?? '0') === '1');
        break;

    case 'pair-candidate':
        foreach (array_merge(chaos_orders(['processing', 'completed']), chaos_orders(['on-hold'])) as $order) {
            if (array_sum(chaos_refundable($order)) >= 2) {
                echo $order->get_id(), "\n";
                exit(0);
            }
        }
        exit(3);

    case 'stock':
        $product = wc_get_product(wc_get_product_id_by_sku((string) ($args[0] ?? '')));
        if (!$product) {
            chaos_fail('no product with SKU ' . ($args[0] ?? ''));
        }
        $stock = wc_update_product_stock($product, abs((int) ($args[1] ?? 0)), (int) ($args[1] ?? 0) < 0 ? 'decrease' : 'increase');
        printf("stock %s %d\n", $args[0], $stock);
        break;

    case 'snapshot':
        $orders = [];
        foreach (chaos_orders(array_keys(wc_get_order_statuses())) as $order) {
            $refunds = [];
            foreach ($order->get_refunds() as $refund) {
                $refunds[] = [
                    'id' => $refund->get_id(),
                    'amount' => (float) $refund->get_amount(),
                    'from_mirakl' => '' !== (string) $refund->get_meta('_mirakl_refund_id'),
                ];
            }
            $orders[] = [
                'wc_id' => $order->get_id(),
                'mirakl_id' => (string) $order->get_meta('_mirakl_order_id'),
                'status' => $order->get_status(),
                'tracking' => (string) $order->get_meta('_mirakl_tracking_number'),
                'refunds' => $refunds,
                'core' => $bridge->order_status($order->get_id()),
            ];
        }
        $stock = [];
        foreach (wc_get_products(['limit' => -1, 'type' => ['simple', 'variation']]) as $product) {
            if ($product->get_sku() !== '' && $product->managing_stock()) {
                $stock[$product->get_sku()] = (int) $product->get_stock_quantity();
            }
        }
        $settings = (array) get_option('mirakl_connector_sync_settings', []);
        echo json_encode([
            'orders' => $orders,
            'stock' => $stock,
            'stock_buffer' => (int) ($settings['stock_buffer'] ?? 0),
            'health' => $bridge->health(),
            'problems' => $bridge->problems(['state' => 'open', 'limit' => 1000]),
        ]), "\n";
        break;

    default:
        chaos_fail("unknown command $command");
}
