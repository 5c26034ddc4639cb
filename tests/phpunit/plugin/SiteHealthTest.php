<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Tests\PluginTestCase;

/**
 * Tools → Site Health has a test of the plugin's own that reports the extension and its version.
 */
final class SiteHealthTest extends PluginTestCase
{
    public function test_a_site_health_test_is_registered_and_reports_the_extension_version(): void
    {
        $tests = $this->probe('site-health', true)['tests'];
        $this->assertNotEmpty($tests, 'a Site Health test whose key names mirakl is added on site_status_tests');

        $direct = array_filter($tests, static fn (array $test): bool => $test['kind'] === 'direct');
        $this->assertNotEmpty($direct, 'the extension test is a direct one (it needs no HTTP request)');

        $reports = array_filter(array_column($direct, 'result'));
        $this->assertNotEmpty($reports, 'running the test returns a result');
        $text = '';
        foreach ($reports as $report) {
            $this->assertContains($report['status'] ?? null, ['good', 'recommended', 'critical'], 'a Site Health status');
            $text .= ' ' . ($report['label'] ?? '') . ' ' . wp_strip_all_tags((string) ($report['description'] ?? ''));
        }
        $this->assertStringContainsString(\MiraklConnector\Native\version(), $text, "the report names the extension's version: $text");
        $statuses = array_column($reports, 'status');
        $this->assertContains('good', $statuses, 'a loaded extension of the right version is good news');
    }
}
