<?php
/**
 * The connector inside WooCommerce, measured; run by build/bench-woocommerce, which makes the site
 * and starts the sandbox:
 *
 *   php -d extension=... woocommerce.php SITE SANDBOX_ADDR_URL API_KEY ORDERS
 *
 * Prints figures; asserts nothing.
 */
if ($argc < 5) {
    fwrite(STDERR, "usage: php woocommerce.php SITE http://SANDBOX_ADDR API_KEY ORDERS\n");
    exit(2);
}
[, $site, $sandbox, $apiKey, $orders] = $argv;
$orders = (int) $orders;
$_SERVER['REQUEST_URI'] = '/';
require $site . '/wp-load.php';
error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);

use MiraklConnector\Runner\Runner;
use MiraklConnector\Shop\Shop;
use MiraklConnector\Shop\WooShop;

$runner = Runner::current();
if (!$runner || !class_exists('WooCommerce')) {
    fwrite(STDERR, "the connector or WooCommerce is not running on $site\n");
    exit(1);
}
update_option('woocommerce_manage_stock', 'yes');
update_option('mirakl_connector_settings', ['api_url' => "$sandbox/api", 'api_key' => $apiKey], false);
update_option('mirakl_connector_sync_settings', [], false);
$runner->bridge()->reset();

function console(string $sandbox, string $path, $body): array
{
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'header' => "Content-Type: application/json\r\n",
        'content' => json_encode($body), 'ignore_errors' => true, 'timeout' => 60,
    ]]);
    return (array) json_decode((string) file_get_contents("$sandbox/_sandbox$path", false, $context), true);
}

function median(array $values): float
{
    sort($values);
    $n = count($values);
    return $n === 0 ? 0.0 : ($n % 2 ? $values[intdiv($n, 2)] : ($values[$n / 2 - 1] + $values[$n / 2]) / 2);
}

function product(string $sku, int $stock): WC_Product_Simple
{
    $product = new WC_Product_Simple();
    $product->set_name("Bench $sku");
    $product->set_sku($sku);
    $product->set_regular_price('19.90');
    $product->set_manage_stock(true);
    $product->set_stock_quantity($stock);
    $product->set_status('publish');
    $product->save();
    return $product;
}

// ------------------------------------------------------------------------------- 1. stock hook --
echo "== stock hook: a WooCommerce stock update with and without the connector's hooks ==\n";
$products = [];
for ($i = 1; $i <= 100; $i++) {
    $products[] = product(sprintf('BENCH-STOCK-%03d', $i), 1000);
}
$changes = $runner->changes();
$changes->flush();
// The connector's stock callbacks, to detach and attach between runs.
$hooks = ['woocommerce_product_set_stock', 'woocommerce_variation_set_stock'];
$ours = [];
foreach ($hooks as $hook) {
    foreach ($GLOBALS['wp_filter'][$hook]->callbacks ?? [] as $priority => $callbacks) {
        foreach ($callbacks as $callback) {
            if (is_array($callback['function']) && $callback['function'][0] instanceof MiraklConnector\Hooks\CatalogueHooks) {
                $ours[] = [$hook, $callback['function'], $priority];
            }
        }
    }
}
if (!$ours) {
    fwrite(STDERR, "the connector's stock hooks are not registered\n");
    exit(1);
}
$attach = static function (bool $on) use ($ours): void {
    foreach ($ours as [$hook, $function, $priority]) {
        $on ? add_action($hook, $function, $priority) : remove_action($hook, $function, $priority);
    }
};
$quantity = 1000;
// One "request": N stock updates, then (with the connector) the shutdown hand-over to the engine.
$request = static function (int $n, bool $with) use ($products, $changes, $attach, &$quantity): float {
    $attach($with);
    $quantity++;
    $start = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        wc_update_product_stock($products[$i], $quantity, 'set');
    }
    if ($with) {
        $changes->flush();
    }
    return (hrtime(true) - $start) / 1e6;
};
$rounds = 21;
printf("%-6s %14s %14s %14s %16s\n", 'SKUs', 'without (ms)', 'with (ms)', 'added (ms)', 'added/SKU (ms)');
foreach ([1, 10, 100] as $n) {
    $request($n, true);
    $request($n, false);
    $with = [];
    $without = [];
    for ($round = 0; $round < $rounds; $round++) {
        if ($round % 2) {
            $with[] = $request($n, true);
            $without[] = $request($n, false);
        } else {
            $without[] = $request($n, false);
            $with[] = $request($n, true);
        }
    }
    $added = median($with) - median($without);
    printf("%-6d %14.3f %14.3f %14.3f %16.4f\n", $n, median($without), median($with), $added, $added / $n);
}
$attach(true);
// The added time measured directly (the whole-request difference above drowns in the
// database's own variance): the hook's work for N SKUs, then the shutdown hand-over (one call into
// the engine, one SQLite transaction).
echo "measured directly, the median of $rounds requests:\n";
printf("%-6s %16s %16s %16s %16s\n", 'SKUs', 'hooks (ms)', 'hand-over (ms)', 'added (ms)', 'added/SKU (ms)');
foreach ([1, 10, 100] as $n) {
    $hookMs = [];
    $flushMs = [];
    for ($round = 0; $round < $rounds; $round++) {
        $start = hrtime(true);
        for ($i = 0; $i < $n; $i++) {
            do_action('woocommerce_product_set_stock', $products[$i]);
        }
        $hookMs[] = (hrtime(true) - $start) / 1e6;
        $start = hrtime(true);
        $changes->flush();
        $flushMs[] = (hrtime(true) - $start) / 1e6;
    }
    $added = median($hookMs) + median($flushMs);
    printf("%-6d %16.4f %16.4f %16.4f %16.4f\n", $n, median($hookMs), median($flushMs), $added, $added / $n);
}
echo "target: at most 0.2 ms added per changed SKU\n\n";

// ---------------------------------------------------------------------------------- 2. orders --
echo "== orders: $orders marketplace orders imported and accepted by one runner ==\n";
$skus = [];
$offers = [];
for ($i = 1; $i <= 20; $i++) {
    $sku = sprintf('BENCH-ORDER-%02d', $i);
    product($sku, 1000000);
    $skus[] = $sku;
    $offers[] = ['sku' => $sku, 'price' => '19.90', 'quantity' => 1000000];
}
console($sandbox, '/offers', $offers);
$created = 0;
while ($created < $orders) {
    $batch = min(100, $orders - $created);
    $created += count(console($sandbox, '/orders/random', ['count' => $batch])['order_ids'] ?? []);
}
$changes->flush();
update_option('mirakl_connector_state_secret', bin2hex(random_bytes(16)), false);
$runner->bridge()->reset();

/** WooShop with a stopwatch per operation. */
final class TimedShop implements Shop
{
    public array $ms = [];
    public array $calls = [];
    public function __construct(private WooShop $shop)
    {
    }
    private function time(string $op, callable $f)
    {
        $start = hrtime(true);
        try {
            return $f();
        } finally {
            $this->ms[$op] = ($this->ms[$op] ?? 0) + (hrtime(true) - $start) / 1e6;
            $this->calls[$op] = ($this->calls[$op] ?? 0) + 1;
        }
    }
    public function read_stock(array $skus): array { return $this->time(__FUNCTION__, fn () => $this->shop->read_stock($skus)); }
    public function read_offers(array $skus): array { return $this->time(__FUNCTION__, fn () => $this->shop->read_offers($skus)); }
    public function read_catalogue(?string $after, int $limit): array { return $this->time(__FUNCTION__, fn () => $this->shop->read_catalogue($after, $limit)); }
    public function find_order_by_mirakl_id(string $id): ?array { return $this->time(__FUNCTION__, fn () => $this->shop->find_order_by_mirakl_id($id)); }
    public function create_order(array $draft): int { return $this->time(__FUNCTION__, fn () => $this->shop->create_order($draft)); }
    public function set_order_status(int $id, string $status): void { $this->time(__FUNCTION__, fn () => $this->shop->set_order_status($id, $status)); }
    public function add_order_note(int $id, string $note): void { $this->time(__FUNCTION__, fn () => $this->shop->add_order_note($id, $note)); }
    public function cancel_order(int $id, string $reason): void { $this->time(__FUNCTION__, fn () => $this->shop->cancel_order($id, $reason)); }
    public function read_tracking(int $id): ?array { return $this->time(__FUNCTION__, fn () => $this->shop->read_tracking($id)); }
    public function read_refund(int $id): ?array { return $this->time(__FUNCTION__, fn () => $this->shop->read_refund($id)); }
    public function record_marketplace_refund(int $id, array $refund): int { return $this->time(__FUNCTION__, fn () => $this->shop->record_marketplace_refund($id, $refund)); }
}

$shop = new TimedShop(new WooShop());
$accepted = 0;
$ticks = 0;
$tickMs = 0.0;
$apiCalls = [];
$jobs = [];
$start = microtime(true);
$deadline = $start + 600;
while ($accepted < $orders && microtime(true) < $deadline) {
    $t = hrtime(true);
    $report = $runner->tick(50000, $shop);
    $tickMs += (hrtime(true) - $t) / 1e6;
    $ticks++;
    $accepted += $report['jobs']['import_order']['accepted'] ?? 0;
    foreach ($report['api_calls'] as $api => $n) {
        $apiCalls[$api] = ($apiCalls[$api] ?? 0) + $n;
    }
    foreach ($report['jobs'] as $kind => $outcomes) {
        foreach ($outcomes as $outcome => $n) {
            $jobs["$kind:$outcome"] = ($jobs["$kind:$outcome"] ?? 0) + $n;
        }
    }
    if ($accepted < $orders && empty($report['jobs'])) {
        usleep(500000); // Nothing was due: wait for the next OR11 slot.
    }
}
$elapsed = microtime(true) - $start;
$shopMs = array_sum($shop->ms);
printf("accepted %d of %d in %.1f s over %d tick(s): %.0f orders per minute\n", $accepted, $orders, $elapsed, $ticks, $accepted / max($elapsed, 0.001) * 60);
printf("time in ticks %.0f ms; waiting between ticks (Mirakl's OR11 slot) %.0f ms\n", $tickMs, $elapsed * 1000 - $tickMs);
printf("  WooCommerce (the Shop port) %.0f ms (%.0f%%):\n", $shopMs, $shopMs / max($tickMs, 1) * 100);
arsort($shop->ms);
foreach ($shop->ms as $op => $ms) {
    printf("    %-26s %6d calls %9.0f ms %8.2f ms/call\n", $op, $shop->calls[$op], $ms, $ms / max(1, $shop->calls[$op]));
}
printf("  the engine and Mirakl calls (HTTP to the sandbox, SQLite) %.0f ms (%.0f%%)\n", $tickMs - $shopMs, ($tickMs - $shopMs) / max($tickMs, 1) * 100);
ksort($apiCalls);
echo '  API calls: ' . implode(' ', array_map(fn ($k, $v) => "$k=$v", array_keys($apiCalls), $apiCalls)) . "\n";
ksort($jobs);
echo '  jobs: ' . implode(' ', array_map(fn ($k, $v) => "$k=$v", array_keys($jobs), $jobs)) . "\n";
