<?php

namespace MiraklConnector\Tests\WooCommerce;

require_once __DIR__ . '/FinanceOrdersTest.php';

// The WP-CLI stand-in lives with the other command tests.
require_once __DIR__ . '/CliCommandTest.php';

use MiraklConnector\Admin\ProblemKinds;
use MiraklConnector\Finance\FinanceCommand;
use MiraklConnector\Finance\FinanceRun;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * `wp mirakl finance import|match|report` against the sandbox, and a difference between
 * WooCommerce and the ledger raised as a finance problem the dashboard names.
 */
final class FinanceCommandTest extends MarketplaceTestCase
{
    use DeletesMarketplaceOrders;

    private array $saved = [];

    protected function setUp(): void
    {
        parent::setUp();
        $this->rememberOrdersFromNow();
        foreach ([FinanceRun::OPTION_EXPECTED_SINCE, FinanceRun::OPTION_LAST_RUN] as $option) {
            $this->saved[$option] = get_option($option, null);
        }
        \WP_CLI::$out = [];
    }

    protected function tearDown(): void
    {
        $this->deleteMarketplaceOrders();
        foreach ($this->saved as $option => $value) {
            $value === null ? delete_option($option) : update_option($option, $value, false);
        }
        parent::tearDown();
    }

    private function printed(string $kind): array
    {
        return array_values(array_map(fn ($o) => $o[1], array_filter(\WP_CLI::$out, fn ($o) => $o[0] === $kind)));
    }

    /** A marketplace order imported into WooCommerce and debited on the marketplace. */
    private function debitedOrder(): array
    {
        $sandbox = $this->connect();
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 10, '19.90');
        $sandbox->console('POST', '/offers', [['sku' => "$prefix-S", 'price' => '19.90', 'quantity' => 10]]);
        $miraklId = $sandbox->console('POST', '/orders', ['lines' => [['offer_sku' => "$prefix-S", 'quantity' => 2]]])['order_id'];
        $this->tick();
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order);
        $sandbox->console('POST', "/orders/$miraklId/debit");
        return [$miraklId, $order];
    }

    public function test_import_match_and_report_from_the_command_line(): void
    {
        [$miraklId] = $this->debitedOrder();
        $command = new FinanceCommand(new FinanceRun($this->bridge()));

        $command->import([], []);
        $this->assertSame(['Ledger imported.'], $this->printed('success'), json_encode(\WP_CLI::$out));
        $this->assertMatchesRegularExpression('/transactions read [1-9]\d*, new [1-9]/', implode("\n", $this->printed('log')));

        \WP_CLI::$out = [];
        $command->match([], ['format' => 'json']);
        $report = json_decode($this->printed('line')[0], true);
        $this->assertGreaterThanOrEqual(1, $report['orders_matched']);
        $this->assertSame([], array_values(array_filter($report['discrepancies'], fn ($d) => ($d['mirakl_order_id'] ?? null) === $miraklId)));

        \WP_CLI::$out = [];
        $month = gmdate('Y-m');
        $command->report([], ['month' => $month, 'format' => 'csv', 'kind' => 'orders']);
        $csv = $this->printed('line')[0];
        $this->assertStringStartsWith('period,currency,mirakl_order_id,wc_order_id,status,', $csv);
        $this->assertStringContainsString("$month,EUR,$miraklId,", $csv);

        \WP_CLI::$out = [];
        $command->report([], ['month' => $month]);
        $table = json_decode($this->printed('line')[0], true)['table'];
        $this->assertSame(['figure' => 'gross_sales', 'EUR' => '33.17'], $table[0]);

        $this->expectExceptionMessage('--month=YYYY-MM');
        $command->report([], ['month' => 'last month']);
    }

    public function test_an_order_changed_in_woocommerce_after_mirakl_booked_it_is_a_finance_problem_with_a_readable_kind(): void
    {
        [$miraklId, $order] = $this->debitedOrder();
        $run = new FinanceRun($this->bridge());
        $run->run();
        $this->assertSame([], $this->bridge()->problems(['kind' => 'finance_amount_mismatch', 'state' => 'open']));

        // Someone edits the line's price in WooCommerce: the next match sees it.
        $items = $order->get_items('line_item');
        $item = reset($items);
        $item->set_total('30.00');
        $item->save();
        $order->save();
        $report = $run->match();

        $problems = $this->bridge()->problems(['kind' => 'finance_amount_mismatch', 'state' => 'open']);
        $this->assertCount(1, $problems, json_encode($report['discrepancies']));
        $this->assertSame('mirakl_order', $problems[0]['entity_type']);
        $this->assertSame($miraklId, $problems[0]['entity_id']);
        $this->assertStringContainsString('shop 30.00, Mirakl 33.17', $problems[0]['message']);
        $this->assertNotSame('', $problems[0]['hint']);
        $this->assertSame('Finance: amounts differ between Mirakl and WooCommerce', ProblemKinds::label('finance_amount_mismatch'));
        $this->assertArrayHasKey('finance_refund_missing_in_mirakl', ProblemKinds::labels());

        // Put back, the problem closes itself.
        $item->set_total('33.17');
        $item->save();
        $order->save();
        $run->match();
        $this->assertSame([], $this->bridge()->problems(['kind' => 'finance_amount_mismatch', 'state' => 'open']));
    }
}
