<?php

namespace {
    // WP-CLI is not installed on test machines: a stand-in that records what the command prints.
    if (!class_exists('WP_CLI', false)) {
        final class WP_CLI
        {
            /** @var list<array{0: string, 1: string}> */
            public static array $out = [];
            public static function line($m = ''): void { self::$out[] = ['line', (string) $m]; }
            public static function log($m): void { self::$out[] = ['log', (string) $m]; }
            public static function success($m): void { self::$out[] = ['success', (string) $m]; }
            public static function warning($m): void { self::$out[] = ['warning', (string) $m]; }
            public static function error($m): void
            {
                self::$out[] = ['error', (string) $m];
                throw new \RuntimeException('WP_CLI::error: ' . $m);
            }
            public static function add_command(...$args): void {}
        }
    }
}

namespace WP_CLI\Utils {
    if (!function_exists('WP_CLI\Utils\get_flag_value')) {
        function get_flag_value($assoc_args, $flag, $default = null) { return $assoc_args[$flag] ?? $default; }
    }
    if (!function_exists('WP_CLI\Utils\format_items')) {
        function format_items($format, $items, $fields): void { \WP_CLI::line(json_encode(['table' => $items])); }
    }
}

namespace MiraklConnector\Tests\WooCommerce {

    use MiraklConnector\Cli\Command;
    use MiraklConnector\Runner\Runner;
    use MiraklConnector\Tests\MarketplaceTestCase;

    /**
     * `wp mirakl ...` with a stand-in for WP-CLI: tick, status, sync-stock and the problem
     * queue, against the sandbox.
     */
    final class CliCommandTest extends MarketplaceTestCase
    {
        private Command $command;

        protected function setUp(): void
        {
            parent::setUp();
            \WP_CLI::$out = [];
            $this->command = new Command(Runner::current());
        }

        private function printed(string $kind): array
        {
            return array_values(array_map(fn ($o) => $o[1], array_filter(\WP_CLI::$out, fn ($o) => $o[0] === $kind)));
        }

        public function test_tick_status_and_the_problem_queue(): void
        {
            $sandbox = $this->connect();
            $prefix = $this->skuPrefix();
            // The marketplace sells a SKU the shop does not have: the order is held for a person.
            $sandbox->console('POST', '/offers', ['sku' => "$prefix-GHOST", 'price' => '9.00', 'quantity' => 3]);
            $miraklId = $sandbox->console('POST', '/orders', ['lines' => [['offer_sku' => "$prefix-GHOST", 'quantity' => 1]]])['order_id'];

            $this->command->tick([], ['format' => 'json']);
            $report = json_decode($this->printed('line')[0], true);
            $this->assertTrue($report['ran']);
            $this->assertSame(1, $report['api_calls']['OR11'] ?? 0, json_encode($report));

            \WP_CLI::$out = [];
            $this->command->status([], []);
            $this->assertNotEmpty(array_filter($this->printed('log'), fn ($l) => str_starts_with($l, 'runner_late') && str_ends_with($l, 'no')), implode("\n", $this->printed('log')));

            \WP_CLI::$out = [];
            $this->command->problems(['list'], ['format' => 'json']);
            $rows = json_decode($this->printed('line')[0], true);
            $held = array_values(array_filter($rows, fn ($r) => str_contains($r['entity'], $miraklId)));
            $this->assertNotEmpty($held, json_encode($rows));

            \WP_CLI::$out = [];
            $this->command->problems(['resolve', (string) $held[0]['id']], []);
            $this->assertNotEmpty($this->printed('success'));
            $this->command->problems(['resolve', (string) $held[0]['id']], []);
            $this->assertNotEmpty($this->printed('warning'), 'resolving twice says it was not open');
            $this->command->problems(['list'], ['format' => 'json', 'state' => 'resolved']);
            $this->assertStringContainsString($miraklId, implode("\n", $this->printed('line')));

            $this->expectException(\RuntimeException::class);
            $this->command->problems(['retry'], []);
        }

        public function test_sync_stock_all_queues_every_managed_sku(): void
        {
            $this->connect();
            $prefix = $this->skuPrefix();
            $this->simpleProduct("$prefix-A", 3);
            $this->variableProduct("$prefix-V", ['M' => 2]);
            $this->changes()->flush();
            $before = $this->bridge()->health();
            $this->assertGreaterThanOrEqual(2, $this->command->queue_stock(null));
            $this->assertSame(1, $this->command->queue_stock(["$prefix-A", "$prefix-NOPE"]));
            $this->command->sync_stock([], ['no-tick' => true, 'tick' => false, 'all' => true]);
            $this->assertMatchesRegularExpression('/^\d+ SKU\(s\) queued/', $this->printed('log')[0]);
            $this->assertIsArray($before);
        }
    }
}
