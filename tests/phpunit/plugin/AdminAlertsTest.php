<?php

namespace MiraklConnector\Tests\Plugin;

require_once __DIR__ . '/AdminTestCase.php';

use MiraklConnector\Admin\Alerts;
use MiraklConnector\Admin\EngineReader;
use MiraklConnector\Native\Bridge;
use MiraklConnector\Tests\Site;

/**
 * Alerts: critical problems and a stopped runner become wp-admin notices for those who can act;
 * new problems of the chosen kinds are mailed once through wp_mail.
 */
final class AdminAlertsTest extends AdminTestCase
{
    private static function problem(int $id, string $kind, string $severity, string $lastSeen): array
    {
        return [
            'id' => $id, 'kind' => $kind, 'severity' => $severity, 'entity_type' => 'mirakl_order',
            'entity_id' => "SBX-$id", 'message' => "problem $id", 'details' => null, 'hint' => null,
            'job_id' => null, 'state' => 'open', 'resolution' => null, 'occurrences' => 1,
            'first_seen' => $lastSeen, 'last_seen' => $lastSeen, 'resolved_at' => null,
        ];
    }

    /** An engine whose health and problems the test decides. */
    private static function reader(array $problems, array $health): EngineReader
    {
        return new class ($problems, $health) extends EngineReader {
            public function __construct(private array $problems, private array $state)
            {
                parent::__construct(new Bridge());
            }

            public function health(): ?array
            {
                return $this->state;
            }

            public function problems(array $filter): array
            {
                return array_values(array_filter(
                    $this->problems,
                    static fn ($p) => !isset($filter['severity']) || $p['severity'] === $filter['severity']
                ));
            }
        };
    }

    private static function health(bool $late): array
    {
        return [
            'now' => gmdate('c'), 'runner_late' => $late, 'runner_active' => false,
            'last_tick' => ['at' => gmdate('c', time() - ($late ? 3600 : 30)), 'duration_ms' => 10, 'ran' => true, 'jobs_run' => 1, 'api_calls' => 1, 'problems_raised' => 0, 'next_due_at' => null],
            'queue' => [], 'open_problems' => ['critical' => 1, 'error' => 0, 'warning' => 0], 'schema_version' => 1,
        ];
    }

    protected function setUp(): void
    {
        parent::setUp();
        update_option('mirakl_connector_settings', ['api_url' => 'https://marketplace.example.com/api', 'api_key' => 'k'], false);
        delete_option(Alerts::OPTION_DIGEST_UNTIL);
        Site::$mail = [];
    }

    protected function tearDown(): void
    {
        delete_option(Alerts::OPTION_DIGEST_UNTIL);
        parent::tearDown();
    }

    public function test_critical_problems_and_a_stopped_runner_show_as_notices_to_operators(): void
    {
        $alerts = new Alerts(new Bridge(), self::reader([self::problem(1, 'acceptance_deadline_passed', 'critical', '2026-01-01T10:00:00Z')], self::health(true)));
        $this->logIn('administrator', true);
        $html = $alerts->notices_html();
        $this->assertStringContainsString('data-alert="critical"', $html);
        $this->assertStringContainsString('1 critical problem needs you now', $html);
        $this->assertStringContainsString('may be cancelled by the operator', $html);
        $this->assertStringContainsString('data-alert="runner"', $html);
        $this->assertStringContainsString('Mirakl sync has stopped', $html);

        $this->logIn('editor', false);
        $this->assertSame('', $alerts->notices_html(), 'nothing for users who cannot act');
    }

    public function test_a_healthy_runner_without_critical_problems_shows_nothing(): void
    {
        $this->logIn('administrator', true);
        $alerts = new Alerts(new Bridge(), self::reader([self::problem(1, 'stock_drift', 'warning', '2026-01-01T10:00:00Z')], self::health(false)));
        $this->assertSame('', $alerts->notices_html());
    }

    public function test_new_problems_of_the_chosen_kinds_are_mailed_once(): void
    {
        update_option('mirakl_connector_shop_settings', ['alert_recipients' => ['ops@example.com'], 'alert_kinds' => ['order_held']]);
        $problems = [
            self::problem(1, 'order_held', 'error', '2026-01-01T10:00:00Z'),
            self::problem(2, 'stock_drift', 'warning', '2026-01-01T11:00:00Z'),
        ];
        $alerts = new Alerts(new Bridge(), self::reader($problems, self::health(false)));

        $this->assertSame(1, $alerts->send_digest());
        $this->assertCount(1, Site::$mail);
        $this->assertSame(['ops@example.com'], (array) Site::$mail[0]['to']);
        $this->assertStringContainsString('1 problem needs attention', Site::$mail[0]['subject']);
        $this->assertStringContainsString('SBX-1', Site::$mail[0]['message']);
        $this->assertStringNotContainsString('SBX-2', Site::$mail[0]['message'], 'kinds not chosen are not mailed');

        $this->assertSame(0, $alerts->send_digest(), 'a problem is mailed once');
        $this->assertCount(1, Site::$mail);
    }

    public function test_nothing_is_mailed_without_recipients(): void
    {
        update_option('mirakl_connector_shop_settings', ['alert_recipients' => [], 'alert_kinds' => ['order_held']]);
        $alerts = new Alerts(new Bridge(), self::reader([self::problem(1, 'order_held', 'error', '2026-01-01T10:00:00Z')], self::health(false)));
        $this->assertSame(0, $alerts->send_digest());
        $this->assertSame([], Site::$mail);
    }
}
