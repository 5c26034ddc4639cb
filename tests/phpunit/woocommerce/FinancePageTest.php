<?php

namespace MiraklConnector\Tests\WooCommerce;

require_once __DIR__ . '/FinanceOrdersTest.php';

use MiraklConnector\Admin\Format;
use MiraklConnector\Finance\FinanceCron;
use MiraklConnector\Finance\FinancePage;
use MiraklConnector\Finance\FinanceRun;
use MiraklConnector\Finance\FinanceSettings;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * The finance page from a ledger imported from the sandbox: a marketplace order is imported and
 * accepted, debited, shipped and paid out on the marketplace; the finance run imports the
 * ledger, sends WooCommerce's side of the order and matches it; the page shows the month's
 * figures, the payout reconciled and the order linked to its WooCommerce edit screen.
 */
final class FinancePageTest extends MarketplaceTestCase
{
    use DeletesMarketplaceOrders;

    private array $saved = [];

    protected function setUp(): void
    {
        parent::setUp();
        $this->rememberOrdersFromNow();
        foreach ([FinanceRun::OPTION_EXPECTED_SINCE, FinanceRun::OPTION_LAST_RUN, 'mirakl_connector_finance_settings'] as $option) {
            $this->saved[$option] = get_option($option, null);
        }
        $admins = get_users(['role' => 'administrator', 'number' => 1, 'orderby' => 'ID']);
        wp_set_current_user($admins[0]->ID);
    }

    protected function tearDown(): void
    {
        $this->deleteMarketplaceOrders();
        foreach ($this->saved as $option => $value) {
            $value === null ? delete_option($option) : update_option($option, $value, false);
        }
        wp_unschedule_hook(FinanceCron::HOOK);
        wp_set_current_user(0);
        $_GET = [];
        parent::tearDown();
    }

    public function test_the_page_shows_the_month_s_figures_the_payout_and_the_orders_from_the_imported_ledger(): void
    {
        $sandbox = $this->connect();
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 10, '19.90');
        $this->simpleProduct("$prefix-T", 10, '30.00');
        $sandbox->console('POST', '/offers', [
            ['sku' => "$prefix-S", 'price' => '19.90', 'quantity' => 10],
            ['sku' => "$prefix-T", 'price' => '30.00', 'quantity' => 10],
        ]);
        $miraklId = $sandbox->console('POST', '/orders', ['lines' => [
            ['offer_sku' => "$prefix-S", 'quantity' => 2],
            ['offer_sku' => "$prefix-T", 'quantity' => 1],
        ]])['order_id'];
        $this->tick();
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order, 'the marketplace order is in WooCommerce');
        $sandbox->console('POST', "/orders/$miraklId/debit");
        $sandbox->api('PUT', "/orders/$miraklId/ship");
        $payout = $sandbox->console('POST', '/payout');

        $run = new FinanceRun($this->bridge());
        $result = $run->run();

        $this->assertTrue($result['import']['complete'], json_encode($result['import']));
        $this->assertGreaterThan(0, $result['import']['inserted']);
        // Every marketplace order on the site is sent the first time (other tests left some).
        $this->assertGreaterThanOrEqual(1, $result['match']['expected_recorded'], 'WooCommerce\'s side of the order was sent');
        $ours = array_filter($result['match']['discrepancies'], fn ($d) => ($d['mirakl_order_id'] ?? null) === $miraklId);
        $this->assertSame([], array_map(fn ($d) => $d['message'], array_values($ours)), 'WooCommerce and Mirakl agree on the order');
        $this->assertSame(1, $result['match']['orders_matched']);

        $month = gmdate('Y-m');
        $_GET = ['page' => FinancePage::SLUG, 'month' => $month];
        $page = new FinancePage($this->bridge(), $run, new FinanceSettings($this->bridge()));
        ob_start();
        $page->render();
        $html = (string) ob_get_clean();

        [$year, $number] = array_map('intval', explode('-', $month));
        $report = $this->bridge()->finance_month_end($year, $number, 'EUR', true);
        $eur = $report['currencies'][0];
        $this->assertSame('58.17', $eur['gross_sales'], '2 × 19.90 + 30.00 without tax');
        foreach (['gross_sales', 'shipping', 'taxes', 'commissions', 'commission_vat', 'net_revenue', 'payouts_received', 'balance_owed'] as $figure) {
            $this->assertStringContainsString(
                'data-figure="' . $figure . '">' . esc_html(Format::money($eur[$figure], 'EUR')) . '<',
                $html,
                "the page shows $figure"
            );
        }
        $this->assertStringContainsString('data-currency="EUR"', $html);
        $this->assertEqualsWithDelta((float) $payout['amount_transferred'], (float) $eur['payouts_received'], 0.001);
        $this->assertMatchesRegularExpression('/class="mirakl-payout mirakl-reconciled"/', $html, 'the payout is reconciled');
        $this->assertStringContainsString(esc_html(Format::money($payout['amount_transferred'], 'EUR')), $html);
        $this->assertStringContainsString('href="' . esc_url(FinancePage::order_edit_url($order->get_id())) . '">#' . $order->get_id() . '</a>', $html, 'the order links to its edit screen');
        $this->assertStringContainsString('mirakl-match-matched', $html);
        foreach (['summary', 'orders', 'ledger'] as $kind) {
            $this->assertMatchesRegularExpression('/admin-post\.php\?action=mirakl_connector_finance_csv(&amp;|&#038;)kind=' . $kind . '/', $html, "a $kind CSV link");
        }
    }

    public function test_the_scheduled_import_runs_only_when_due_and_a_stopped_import_resumes_by_itself(): void
    {
        $this->connect();
        $cron = new FinanceCron(new FinanceRun($this->bridge()));
        $this->assertNotNull($cron->run_if_due(), 'a new state file is due at once');
        $this->assertNull($cron->run_if_due(), 'then not again before the interval');

        FinanceCron::schedule_resume(['complete' => false, 'resume_at' => gmdate('c', time() + 600)]);
        $next = wp_next_scheduled(FinanceCron::HOOK, [FinanceCron::RESUME]);
        $this->assertNotFalse($next);
        $this->assertEqualsWithDelta(time() + 605, $next, 5);
        wp_unschedule_hook(FinanceCron::HOOK);
        FinanceCron::schedule_resume(['complete' => true, 'resume_at' => null]);
        $this->assertFalse(wp_next_scheduled(FinanceCron::HOOK, [FinanceCron::RESUME]));
    }
}
