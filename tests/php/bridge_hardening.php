<?php
/**
 * The PHP boundary under hostile input: a PHP fatal error inside a Shop callback (a bailout)
 * fails the job without crashing the process and leaves the state file usable by the next
 * process; arrays nested too deep or containing themselves are refused with a typed exception;
 * a NUL byte in a message still gives the typed exception, not a plain \Error.
 */

declare(strict_types=1);
require __DIR__ . '/lib/assert.php';
require __DIR__ . '/lib/sandbox.php';

use MiraklConnector\Native\Engine;
use MiraklConnector\Native\SettingsException;
use function MiraklConnector\Native\validate_sync_settings;

$dir = sys_get_temp_dir() . '/mirakl-bridge-hardening-' . getmypid();
@mkdir($dir);
$state = "$dir/state.sqlite";
register_shutdown_function(function () use ($dir) {
    array_map('unlink', glob("$dir/*") ?: []);
    @rmdir($dir);
});

// Arrays: 100,000 levels deep, and an array holding a reference to itself.
$deep = [];
for ($i = 0; $i < 100000; $i++) {
    $deep = ['x' => $deep];
}
$e = expect_throws(SettingsException::class, fn () => validate_sync_settings(['carrier_map' => $deep]));
assert(str_contains($e->getMessage(), '64 levels'), $e->getMessage());
$shallow = ['carrier_map' => ['Colissimo' => 'COLISSIMO']];
assert(validate_sync_settings($shallow)['carrier_map'] === ['Colissimo' => 'COLISSIMO'], 'shallow arrays still convert');
$self = ['stock_buffer' => 1];
$self['loop'] = &$self;
$e = expect_throws(SettingsException::class, fn () => validate_sync_settings($self));
assert(str_contains($e->getMessage(), 'contains itself'), $e->getMessage());
unset($self['loop']);

// A NUL byte in a message (here a field name the core quotes back) keeps the typed exception.
$e = expect_throws(SettingsException::class, fn () => validate_sync_settings(["stock\0buffer" => 1]));
assert(!str_contains($e->getMessage(), "\0") && str_contains($e->getMessage(), "stock\u{FFFD}buffer"), $e->getMessage());

// A PHP fatal error inside a callback, in a child process of its own.
$sandbox = new SandboxProcess('bailout-key');
$sandbox->console('POST', '/offers', ['sku' => 'SKU-A', 'price' => '19.90', 'quantity' => 10]);
$order_id = $sandbox->console('POST', '/orders', ['lines' => [['offer_sku' => 'SKU-A', 'quantity' => 1]]])['order_id'];
$connection = var_export(['api_url' => $sandbox->base_url, 'api_key' => 'bailout-key'], true);
$lib = var_export(__DIR__ . '/lib/assert.php', true) . '; require ' . var_export(__DIR__ . '/lib/MemoryShop.php', true);
$state_literal = var_export($state, true);
file_put_contents("$dir/fatal.php", <<<PHP
<?php
require $lib;
\$shop = new class extends MemoryShop {
    public function find_order_by_mirakl_id(string \$mirakl_order_id): ?array
    {
        ini_set('memory_limit', '16M');
        \$hog = str_repeat('x', 64 * 1024 * 1024); // Allowed memory size exhausted: a bailout
        return null;
    }
};
\$shop->stock = ['SKU-A' => 5];
(new MiraklConnector\\Native\\Engine($connection, [], $state_literal, null, true))->tick(\$shop, 20000);
echo "the tick returned after a fatal error\\n";
PHP);
file_put_contents("$dir/next.php", <<<PHP
<?php
require $lib;
\$engine = new MiraklConnector\\Native\\Engine($connection, [], $state_literal, null, true);
\$engine->stock_changed([['sku' => 'SKU-A', 'quantity' => 4]]);
\$shop = new MemoryShop();
\$shop->stock = ['SKU-A' => 4];
\$report = \$engine->tick(\$shop, 20000);
echo json_encode(['ran' => \$report['ran'], 'health' => \$engine->health()['queue']]), "\\n";
PHP);

/** Runs a script with the same PHP binary and -d options as this one; [exit code, output]. */
function run_child(string $script): array
{
    $args = explode("\0", rtrim((string) file_get_contents('/proc/self/cmdline'), "\0"));
    $own = array_search($_SERVER['SCRIPT_FILENAME'], $args, true);
    $prefix = array_slice($args, 1, $own === false ? count($args) - 1 : $own - 1);
    $command = array_merge([PHP_BINARY], $prefix, [$script]);
    $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
    $output = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($process), (string) $output];
}

$started = microtime(true);
[$code, $output] = run_child("$dir/fatal.php");
assert(!in_array($code, [-1, 6, 11, 134, 139], true), "the child crashed (exit $code): $output");
assert($code === 255, "PHP ends the request as a fatal error (exit $code): $output");
assert(str_contains($output, 'Allowed memory size'), $output);
assert(!str_contains($output, 'the tick returned'), 'the bailout is re-raised after the tick: ' . $output);

[$code, $output] = run_child("$dir/next.php");
assert($code === 0, "the next process can use the state file (exit $code): $output");
$next = json_decode(trim((string) strrchr("\n" . trim($output), "\n")), true);
assert(is_array($next) && $next['ran'] === true, 'the runner lease was released: ' . $output);
assert(microtime(true) - $started < 60, 'no lock was left behind for the next process to wait on');

// In this process too, the state is unlocked and the order can still be imported later.
$engine = new Engine(['api_url' => $sandbox->base_url, 'api_key' => 'bailout-key'], [], $state, null, true);
assert(is_array($engine->health()));
assert($sandbox->order($order_id)['state'] === 'WAITING_ACCEPTANCE', 'nothing was accepted by the failed job');
echo "ok\n";
