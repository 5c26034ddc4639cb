<?php

namespace MiraklConnector\Tests\Plugin;

require_once __DIR__ . '/AdminTestCase.php';

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\Flash;
use MiraklConnector\Admin\SettingsPage;
use MiraklConnector\Native\Bridge;
use MiraklConnector\Requirements;
use MiraklConnector\SiteHealth;

/**
 * Every admin action (admin-post.php) refuses a user without `manage_woocommerce` and a request
 * without its nonce, with a 403 and no change; the dashboard's actions report what they did.
 */
final class AdminActionsTest extends AdminTestCase
{
    /** @return array<string, array{string, string}> action => [class, handler] */
    public static function actions(): array
    {
        return [
            'save settings' => [SettingsPage::ACTION_SAVE, 'on_save'],
            'test connection' => [SettingsPage::ACTION_TEST_CONNECTION, 'on_test_connection'],
            'refresh carriers' => [SettingsPage::ACTION_REFRESH_CARRIERS, 'on_refresh_carriers'],
            'retry a problem' => [DashboardPage::ACTION_RETRY, 'on_retry'],
            'resolve a problem' => [DashboardPage::ACTION_RESOLVE, 'on_resolve'],
            'check the connection' => [DashboardPage::ACTION_CHECK, 'on_check_connection'],
        ];
    }

    private static function handler(string $action, string $method): callable
    {
        $bridge = new Bridge();
        $page = str_starts_with($method, 'on_retry') || str_starts_with($method, 'on_resolve') || DashboardPage::ACTION_CHECK === $action
            ? new DashboardPage($bridge)
            : new SettingsPage($bridge);
        return [$page, $method];
    }

    /** @dataProvider actions */
    public function test_a_user_without_manage_woocommerce_is_refused(string $action, string $method): void
    {
        $this->logIn('editor', false);
        $before = self::connection();
        $this->post($action, ['mirakl' => self::validForm(['api_key' => 'stolen']), 'problem_id' => '1']);

        $refusal = $this->refusal(self::handler($action, $method));

        $this->assertNotNull($refusal, 'the request is refused');
        $this->assertSame(403, $refusal->getCode());
        $this->assertStringContainsString('not allowed', $refusal->getMessage());
        $this->assertSame($before, self::connection(), 'nothing changed');
        $this->assertNull(Flash::take(), 'no action ran');
    }

    /** @dataProvider actions */
    public function test_a_request_without_its_nonce_is_refused(string $action, string $method): void
    {
        $this->logIn('administrator', true);
        $before = self::connection();
        $this->post($action, ['mirakl' => self::validForm(['api_key' => 'forged']), 'problem_id' => '1'], false);

        $refusal = $this->refusal(self::handler($action, $method));

        $this->assertNotNull($refusal, 'the request is refused');
        $this->assertSame(403, $refusal->getCode());
        $this->assertStringContainsString('expired', $refusal->getMessage());
        $this->assertSame($before, self::connection(), 'nothing changed');
        $this->assertNull(Flash::take(), 'no action ran');
    }

    public function test_a_nonce_of_another_action_is_refused(): void
    {
        $this->logIn('administrator', true);
        $this->post(DashboardPage::ACTION_RESOLVE, ['problem_id' => '1']);
        $_POST['_wpnonce'] = $_REQUEST['_wpnonce'] = wp_create_nonce(DashboardPage::ACTION_RETRY);
        $refusal = $this->refusal([new DashboardPage(new Bridge()), 'on_resolve']);
        $this->assertNotNull($refusal);
        $this->assertSame(403, $refusal->getCode());
    }

    public function test_the_pages_refuse_a_user_without_manage_woocommerce(): void
    {
        $this->logIn('editor', false);
        foreach ([new SettingsPage(new Bridge()), new DashboardPage(new Bridge())] as $page) {
            ob_start();
            $refusal = $this->refusal([$page, 'render']);
            $html = ob_get_clean();
            $this->assertNotNull($refusal, get_class($page) . ' refuses');
            $this->assertSame(403, $refusal->getCode());
            $this->assertSame('', $html, 'nothing of the page was printed');
        }
    }

    public function test_resolving_an_unknown_problem_says_so(): void
    {
        $this->logIn('administrator', true);
        $this->assertFalse((new DashboardPage(new Bridge()))->resolve(987654));
        $flash = Flash::take();
        $this->assertSame('warning', $flash['type']);
        $this->assertStringContainsString('#987654', $flash['message']);
    }

    public function test_retrying_an_unknown_problem_reports_the_failure(): void
    {
        $this->logIn('administrator', true);
        $this->assertFalse((new DashboardPage(new Bridge()))->retry(987654));
        $flash = Flash::take();
        $this->assertSame('error', $flash['type']);
        $this->assertStringContainsString('#987654 could not be retried', $flash['message']);
    }

    public function test_the_connection_test_without_settings_says_what_is_missing(): void
    {
        $this->logIn('administrator', true);
        delete_option('mirakl_connector_settings');
        $result = (new SettingsPage(new Bridge()))->test_connection();
        $this->assertFalse($result['ok']);
        $this->assertStringContainsString('No API URL and key', Flash::take()['message']);
    }

    public function test_a_refused_key_is_reported_without_the_key(): void
    {
        $this->logIn('administrator', true);
        // Nothing listens on port 9: the test fails fast, and the message must not hold the key.
        update_option('mirakl_connector_settings', ['api_url' => 'http://127.0.0.1:9/api', 'api_key' => 'do-not-show-7', 'connect_timeout' => 1, 'timeout' => 5], false);
        $result = (new SettingsPage(new Bridge()))->test_connection();
        $this->assertFalse($result['ok']);
        $flash = Flash::take();
        $this->assertSame('error', $flash['type']);
        $this->assertStringNotContainsString('do-not-show-7', $flash['message']);
        $this->assertStringNotContainsString('do-not-show-7', (string) wp_json_encode(get_option('mirakl_connector_connection_check')));
    }

    public function test_the_runner_card_is_never_on_time_while_order_changes_wait(): void
    {
        $this->logIn('administrator', true);
        $cards = new \ReflectionMethod(DashboardPage::class, 'health_cards');
        $cards->setAccessible(true);
        $health = [
            'runner_late' => false,
            'runner_active' => false,
            'last_tick' => ['at' => gmdate('c'), 'jobs_run' => 3, 'duration_ms' => 20, 'next_due_at' => null],
            'queue' => [],
            'open_problems' => [],
            'order_backlog' => null,
        ];
        $runner = $cards->invoke(new DashboardPage(new Bridge()), $health)[0];
        $this->assertSame('On time', $runner['value']);

        $health['order_backlog'] = ['remaining' => 51, 'since' => gmdate('c', time() - 120)];
        $runner = $cards->invoke(new DashboardPage(new Bridge()), $health)[0];
        $this->assertSame('Catching up', $runner['value']);
        $this->assertSame('warning', $runner['status']);
        $this->assertStringContainsString('51 changed orders still to read', implode("\n", $runner['lines']));
    }

    public function test_the_dashboard_renders_for_an_operator(): void
    {
        $this->logIn('administrator', true);
        ob_start();
        (new DashboardPage(new Bridge()))->render();
        $html = ob_get_clean();
        foreach (['mirakl-health-runner', 'mirakl-health-queue', 'mirakl-health-connection', 'mirakl-problems', 'mirakl-orders-at-risk', 'mirakl-stock-drift', 'mirakl-chart', 'mirakl-activity'] as $id) {
            $this->assertTrue(str_contains($html, 'id="' . $id . '"'), "the dashboard has #$id");
        }
        $this->assertTrue(str_contains($html, '<svg'), 'the dashboard has its chart');
    }

    public function test_site_health_reports_the_runner_and_the_connection(): void
    {
        $bridge = new Bridge();
        $health = new SiteHealth($bridge, new Requirements($bridge));
        $runner = $health->runner_test();
        $this->assertContains($runner['status'], ['good', 'recommended', 'critical']);
        $this->assertSame(SiteHealth::TEST_RUNNER, $runner['test']);
        $this->assertNotSame('', $runner['label']);

        delete_option('mirakl_connector_settings');
        $connection = $health->connection_test();
        $this->assertSame('recommended', $connection['status']);
        $this->assertStringContainsString('not set up', $connection['label']);
    }
}
