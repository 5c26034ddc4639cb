<?php

namespace MiraklConnector\Tests\Plugin;

require_once __DIR__ . '/AdminTestCase.php';

use MiraklConnector\Admin\Flash;
use MiraklConnector\Finance\FinancePage;
use MiraklConnector\Finance\FinanceRun;
use MiraklConnector\Finance\FinanceSettings;
use MiraklConnector\Native\Bridge;

/**
 * The finance page's actions (import now, match now, save the finance settings) refuse a user
 * without `manage_woocommerce` and a request without its nonce; saving keeps only settings the
 * core accepts.
 */
final class FinanceActionsTest extends AdminTestCase
{
    private mixed $savedFinance = null;

    protected function setUp(): void
    {
        parent::setUp();
        $this->savedFinance = get_option('mirakl_connector_finance_settings', null);
        add_filter('wp_redirect', [self::class, 'stopRedirect']);
    }

    protected function tearDown(): void
    {
        remove_filter('wp_redirect', [self::class, 'stopRedirect']);
        $this->savedFinance === null
            ? delete_option('mirakl_connector_finance_settings')
            : update_option('mirakl_connector_finance_settings', $this->savedFinance, false);
        parent::tearDown();
    }

    /** Ends the handler where it would redirect (and exit). */
    public static function stopRedirect(string $location): string
    {
        throw new \LengthException($location);
    }

    private function page(): FinancePage
    {
        $bridge = new Bridge();
        return new FinancePage($bridge, new FinanceRun($bridge), new FinanceSettings($bridge));
    }

    /** @return array<string, array{string, string}> */
    public static function actions(): array
    {
        return [
            'import now' => [FinancePage::ACTION_IMPORT, 'on_import'],
            'match now' => [FinancePage::ACTION_MATCH, 'on_match'],
            'save the finance settings' => [FinancePage::ACTION_SAVE, 'on_save'],
        ];
    }

    /** @dataProvider actions */
    public function test_a_user_without_manage_woocommerce_is_refused(string $action, string $method): void
    {
        $this->logIn('editor', false);
        $this->post($action, ['finance' => ['commission_posting' => 'fee_line']]);
        $refusal = $this->refusal([$this->page(), $method]);
        $this->assertNotNull($refusal);
        $this->assertSame(403, $refusal->getCode());
        $this->assertNull(Flash::take(), 'nothing ran');
        $this->assertNotSame('fee_line', FinanceSettings::stored()['commission_posting'] ?? null);
    }

    /** @dataProvider actions */
    public function test_a_request_without_its_nonce_is_refused(string $action, string $method): void
    {
        $this->logIn('administrator', true);
        $this->post($action, ['finance' => ['commission_posting' => 'fee_line']], false);
        $refusal = $this->refusal([$this->page(), $method]);
        $this->assertNotNull($refusal);
        $this->assertSame(403, $refusal->getCode());
        $this->assertNull(Flash::take(), 'nothing ran');
        $this->assertNotSame('fee_line', FinanceSettings::stored()['commission_posting'] ?? null);
    }

    public function test_saving_stores_valid_settings_and_refuses_invalid_ones_naming_the_field(): void
    {
        $this->logIn('administrator', true);
        delete_option('mirakl_connector_finance_settings');
        $form = ['commission_posting' => 'fee_line', 'commission_fee_line_name' => 'Commission Mirakl', 'commission_account' => '622',
            'rounding_tolerance' => '0.02', 'import_interval_hours' => '12', 'import_documents' => '1'];

        $this->post(FinancePage::ACTION_SAVE, ['finance' => ['rounding_tolerance' => 'lots'] + $form]);
        $this->expectRedirect([$this->page(), 'on_save'], '#mirakl-finance-settings');
        $flash = Flash::take();
        $this->assertSame('error', $flash['type']);
        $this->assertStringContainsString('rounding_tolerance', $flash['message']);
        $this->assertFalse(get_option('mirakl_connector_finance_settings'), 'nothing stored');

        $this->post(FinancePage::ACTION_SAVE, ['finance' => $form, 'month' => '2026-10']);
        $location = $this->expectRedirect([$this->page(), 'on_save'], '#mirakl-finance-settings');
        $this->assertStringContainsString('month=2026-10', $location);
        $this->assertSame('success', Flash::take()['type']);
        $stored = get_option('mirakl_connector_finance_settings');
        $this->assertSame('fee_line', $stored['commission_posting']);
        $this->assertSame('Commission Mirakl', $stored['commission_fee_line_name']);
        $this->assertSame('622', $stored['commission_account']);
        $this->assertSame('0.02', (string) $stored['rounding_tolerance']);
        $this->assertSame(12, (int) $stored['import_interval_hours']);
        $this->assertTrue($stored['import_documents']);
    }

    private function expectRedirect(callable $handler, string $contains): string
    {
        try {
            $handler();
        } catch (\LengthException $redirect) {
            $this->assertStringContainsString($contains, $redirect->getMessage());
            return $redirect->getMessage();
        }
        $this->fail('the handler did not redirect');
    }
}
