<?php
/**
 * The native Engine from PHP: events recorded without a connection, validation errors named,
 * a tick against the sandbox that calls a PHP shop back (order created, then accepted on the
 * marketplace), PHP exceptions inside callbacks turned into engine outcomes, and re-entry into
 * the engine from inside a callback (as WooCommerce hooks do while the engine creates an order).
 */

declare(strict_types=1);
require __DIR__ . '/lib/assert.php';
require __DIR__ . '/lib/MemoryShop.php';
require __DIR__ . '/lib/sandbox.php';

use MiraklConnector\Native\Engine;
use MiraklConnector\Native\SettingsException;
use MiraklConnector\Shop\ShopRejected;
use function MiraklConnector\Native\validate_sync_settings;

$dir = sys_get_temp_dir() . '/mirakl-engine-smoke-' . getmypid();
@mkdir($dir);
$state = "$dir/state.sqlite";
register_shutdown_function(function () use ($dir) {
    array_map('unlink', glob("$dir/*") ?: []);
    @rmdir($dir);
});

// Sync settings: defaults filled in; a bad value named.
$defaults = validate_sync_settings([]);
assert($defaults['acceptance_window_hours'] === 72 && $defaults['product_id_type'] === 'SHOP_SKU', var_export($defaults, true));
$mapped = validate_sync_settings(['carrier_map' => [], 'status_mapping' => ['SHIPPING' => 'processing']]);
assert($mapped['carrier_map'] === [] && $mapped['status_mapping'] === ['SHIPPING' => 'processing'], 'an empty PHP array is an empty map');
assert(validate_sync_settings(['carrier_map' => ['Colissimo' => 'COLISSIMO']])['carrier_map'] === ['Colissimo' => 'COLISSIMO']);
expect_throws(SettingsException::class, fn () => validate_sync_settings(['carrier_map' => ['COLISSIMO']]));
// Country labels map to ISO alpha-2 codes only; shipping types to a method id.
assert(validate_sync_settings(['country_label_map' => ['Métropole' => 'FR']])['country_label_map'] === ['Métropole' => 'FR']);
$e = expect_throws(SettingsException::class, fn () => validate_sync_settings(['country_label_map' => ['Métropole' => 'France']]));
assert(str_contains($e->getMessage(), 'country_label_map'), $e->getMessage());
assert(validate_sync_settings(['shipping_method_map' => ['EXPRESS' => 'flat_rate']])['shipping_method_map'] === ['EXPRESS' => 'flat_rate']);
assert(validate_sync_settings([])['country_label_map'] === [] && validate_sync_settings([])['shipping_method_map'] === []);
assert(\MiraklConnector\Native\ProblemKind::COUNTRY === 'country');
$e = expect_throws(SettingsException::class, fn () => validate_sync_settings(['stock_buffer' => -1]));
assert(str_contains($e->getMessage(), 'stock_buffer'), $e->getMessage());
expect_throws(SettingsException::class, fn () => new Engine([], ['stock_buffer' => -1], $state));
expect_throws(SettingsException::class, fn () => new Engine([], [], ''));

// Without a connection, events are still recorded; calls that need Mirakl say what is missing.
$offline = new Engine([], [], $state);
assert($offline->stock_changed([['sku' => 'SKU-A', 'quantity' => 5], ['sku' => 'SKU-B', 'quantity' => 0]]) === 2);
$offline->order_shipped(42);
$offline->refund_created(7);
$health = $offline->health();
assert($health['queue']['pending'] >= 3, var_export($health['queue'], true));
assert($health['runner_late'] === true && $health['last_tick'] === null);
$e = expect_throws(SettingsException::class, fn () => $offline->tick(new MemoryShop(), 1000));
assert(str_contains($e->getMessage(), 'not configured'), $e->getMessage());
expect_throws(SettingsException::class, fn () => $offline->stock_changed([['quantity' => 1]]));
expect_throws(SettingsException::class, fn () => $offline->problems(['state' => 'sideways']));
assert($offline->problems([]) === []);
assert($offline->carriers() === []);

// A broken state file is a StoreException naming the file, not a crash.
file_put_contents("$dir/broken.sqlite", str_repeat('not a database ', 100));
$e = expect_throws(MiraklConnector\Native\StoreException::class, fn () => (new Engine([], [], "$dir/broken.sqlite"))->health());
assert(str_contains($e->getMessage(), 'broken.sqlite'), $e->getMessage());

// Against the sandbox.
$sandbox = new SandboxProcess('smoke-key');
$sandbox->console('POST', '/offers', [['sku' => 'SKU-A', 'price' => '19.90', 'quantity' => 10], ['sku' => 'SKU-B', 'price' => '5.00', 'quantity' => 10]]);
$connection = ['api_url' => $sandbox->base_url, 'api_key' => 'smoke-key'];
// The sandbox listens on loopback: development mode (the last argument) allows it.
$e = expect_throws(SettingsException::class, fn () => (new Engine($connection, [], $state))->test_connection());
assert(str_contains($e->getMessage(), 'loopback'), $e->getMessage());
$engine = new Engine($connection, [], $state, null, true);

$connected = $engine->test_connection();
assert($connected['shop_name'] === 'Sandbox Shop' && $connected['shop_id'] === 2001, var_export($connected, true));
$e = expect_throws(MiraklConnector\Native\MiraklException::class, fn () => (new Engine(['api_url' => $sandbox->base_url, 'api_key' => 'wrong'], [], $state, null, true))->test_connection());
assert($e->getCode() === MiraklConnector\Native\NativeException::MIRAKL_AUTH, $e->getCode() . ' ' . $e->getMessage());

$shop = new MemoryShop();
$shop->stock = ['SKU-A' => 5, 'SKU-B' => 0];
$reentered = 0;
$shop->on_create = function (array $draft) use ($engine, &$reentered, $shop) {
    // WooCommerce reduces stock while the order is created, and our hook reports it.
    foreach ($draft['lines'] as $line) {
        $reentered += $engine->stock_changed([['sku' => $line['sku'], 'quantity' => $shop->stock[$line['sku']]]]);
    }
};
$order_id = $sandbox->console('POST', '/orders', ['lines' => [['offer_sku' => 'SKU-A', 'quantity' => 2]]])['order_id'];
// An order the shop cannot take (its SKU is unknown to the shop): held for a human.
$sandbox->console('POST', '/offers', ['sku' => 'SKU-UNKNOWN', 'price' => '9.00', 'quantity' => 3]);
$unknown = $sandbox->console('POST', '/orders', ['lines' => [['offer_sku' => 'SKU-UNKNOWN', 'quantity' => 1]]])['order_id'];

$accepted = false;
for ($i = 0; $i < 5 && !$accepted; $i++) {
    $report = $engine->tick($shop, 20000);
    assert($report['ran'] === true, var_export($report, true));
    $accepted = $sandbox->order($order_id)['state'] !== 'WAITING_ACCEPTANCE';
}
assert($accepted, 'the order was accepted within 5 ticks');
assert(count($shop->orders) === 1, 'one shop order');
$created = array_values($shop->orders)[0]['draft'];
assert($created['mirakl_order_id'] === $order_id && $created['lines'][0]['sku'] === 'SKU-A' && $created['lines'][0]['quantity'] === 2);
assert(is_string($created['lines'][0]['price']), 'money crosses as decimal strings');
assert($shop->stock['SKU-A'] === 3 && $reentered === 1, 'stock reduced and reported from inside the callback');
$health = $engine->health();
assert($health['last_tick'] !== null && $health['runner_late'] === false, var_export($health, true));

// What the dashboard and the order screen read.
$shop_order_id = array_key_first($shop->orders);
$status = $engine->order_status($shop_order_id);
assert($status['order']['mirakl_order_id'] === $order_id && $status['order']['wc_order_id'] === $shop_order_id, var_export($status, true));
assert($engine->order_status(999999) === null);
$at_risk = array_column($engine->orders_at_risk(100, 50), 'mirakl_order_id');
assert(in_array($unknown, $at_risk, true) && !in_array($order_id, $at_risk, true), var_export($at_risk, true));
$or11 = array_values(array_filter($engine->budgets(), fn ($b) => $b['api'] === 'OR11'))[0];
assert($or11['used'] >= 1 && $or11['max_calls'] === 1 && $or11['window_secs'] === 60, var_export($or11, true));
assert($engine->recent_activity(20) !== [] && is_array($engine->stock_drift(100)) && is_array($engine->refund_reasons()));
assert($engine->sku_status('SKU-A')['shop_quantity'] === 3, var_export($engine->sku_status('SKU-A'), true));
assert($engine->sku_status('NO-SUCH-SKU') === null);
// The engine's daily reference refresh already read SH21: the cache is filled, and a manual
// refresh the same day is refused by SH21's budget with the time it may run.
$carriers = $engine->carriers();
assert($carriers !== [] && isset($carriers[0]['code']), var_export($carriers, true));
$e = expect_throws(MiraklConnector\Native\MiraklException::class, fn () => $engine->refresh_carriers());
assert($e->getCode() === MiraklConnector\Native\NativeException::CALL_BUDGET_EXHAUSTED && str_contains($e->getMessage(), 'SH21'), $e->getMessage());
assert($engine->carriers() === $carriers);

// Finance: the customer is debited, the ledger imported and matched, the month reported.
$sandbox->console('POST', "/orders/$order_id/debit");
$import = $engine->finance_import();
assert($import['inserted'] >= 2 && $import['complete'] === true, var_export($import, true));
$again = $engine->finance_import();
assert($again['inserted'] === 0, 're-importing the same rows never duplicates them: ' . var_export($again, true));
$line = $sandbox->order($order_id)['lines'][0];
assert($engine->finance_shop_orders([[
    'mirakl_order_id' => $order_id, 'wc_order_id' => $shop_order_id, 'currency' => 'EUR', 'total' => '49.60',
    'lines' => [['mirakl_order_line_id' => $line['order_line_id'], 'quantity' => 1, 'amount' => '33.17', 'tax' => '6.63', 'shipping' => '8.17', 'shipping_tax' => '1.63']],
    'shipping' => [['amount' => '8.17', 'tax' => '1.63']],
    'refunds' => [],
]])['recorded'] === 1);
$matched = $engine->finance_match();
assert($matched['orders_checked'] >= 1, var_export($matched, true));
[$year, $month] = array_map('intval', explode('-', gmdate('Y-m')));
$report = $engine->finance_month_end($year, $month, null, true);
assert(count($report['currencies']) === 1 && $report['currencies'][0]['currency'] === 'EUR', var_export($report, true));
assert(is_string($report['currencies'][0]['gross_sales']) && (float) $report['currencies'][0]['gross_sales'] > 0);
$ledger = $engine->finance_csv('ledger', $year, $month, null);
assert(str_starts_with($ledger, 'date') && substr_count($ledger, "\n") >= 3, $ledger);
expect_throws(SettingsException::class, fn () => $engine->finance_csv('balance', $year, $month, null));
expect_throws(SettingsException::class, fn () => $engine->finance_month_end($year, 13, null, false));
expect_throws(SettingsException::class, fn () => MiraklConnector\Native\validate_finance_settings(['rounding_tolerance' => 'lots']));

// A second tick never creates the order twice.
$engine->tick($shop, 20000);
assert(count($shop->orders) === 1, 'no duplicate shop order');

assert(count($shop->orders) === 1, 'the refused order was not created');
$open = $engine->problems(['state' => 'open']);
$kinds = array_column($open, 'kind');
assert(count($open) >= 1, 'a problem is open: ' . var_export($open, true));
assert(count(array_filter($open, fn ($x) => str_contains($x['entity_id'], $unknown) || str_contains($x['message'], 'SKU-UNKNOWN'))) >= 1, var_export($open, true));
foreach ($open as $problem) {
    assert(is_int($problem['id']) && is_string($problem['severity']) && is_int($problem['occurrences']));
}
assert($engine->resolve_problem($open[0]['id']) === true);
assert($engine->resolve_problem($open[0]['id']) === false, 'resolving twice changes nothing');

// A PHP error inside a callback (not ShopRejected) is transient: the job is retried later, the
// tick goes on, nothing is created and no human is bothered. Own sandbox and state file, so the
// OR11 budget spent above does not delay it.
$flaky_sandbox = new SandboxProcess('smoke-key');
$flaky_sandbox->console('POST', '/offers', ['sku' => 'SKU-A', 'price' => '19.90', 'quantity' => 10]);
$flaky_sandbox->console('POST', '/orders', ['lines' => [['offer_sku' => 'SKU-A', 'quantity' => 1]]]);
$flaky_engine = new Engine(['api_url' => $flaky_sandbox->base_url, 'api_key' => 'smoke-key'], [], "$dir/flaky.sqlite", null, true);
$flaky_shop = new class extends MemoryShop {
    public function find_order_by_mirakl_id(string $mirakl_order_id): ?array
    {
        throw new RuntimeException('database went away');
    }
};
$flaky_shop->stock = ['SKU-A' => 5];
$report = $flaky_engine->tick($flaky_shop, 20000);
assert(($report['jobs']['import_order']['retry'] ?? 0) >= 1, var_export($report['jobs'], true));
assert($flaky_shop->orders === []);
$order_problems = array_filter($flaky_engine->problems([]), fn ($x) => $x['entity_type'] === 'order');
assert($order_problems === [], var_export($order_problems, true));
echo "ok\n";
