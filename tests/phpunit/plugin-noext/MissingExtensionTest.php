<?php

namespace MiraklConnector\Tests\PluginNoExt;

use MiraklConnector\Tests\PluginTestCase;
use MiraklConnector\Tests\Site;

/**
 * The plugin on a PHP without the extension: the site keeps working, the plugin stays inert, and
 * wp-admin tells exactly how to enable the extension in php.ini.
 */
final class MissingExtensionTest extends PluginTestCase
{
    public function test_this_php_has_no_extension(): void
    {
        $this->assertFalse(
            extension_loaded('mirakl_connector'),
            'the plugin-noext suite must run on a PHP that does not load mirakl_connector (is it enabled in php.ini?)'
        );
    }

    public function test_plugin_is_active_and_the_site_loads(): void
    {
        $this->assertPluginActive();
        $this->assertTrue(did_action('plugins_loaded') > 0);
        $this->assertFalse(function_exists('MiraklConnector\Native\version'));
        $this->assertFalse(\MiraklConnector\Plugin::is_active(), 'the plugin stays inert without the extension');
        $this->assertSame(0, did_action('mirakl_connector_loaded'));
    }

    public function test_deactivating_and_activating_again_without_the_extension_gives_no_error(): void
    {
        $result = $this->probe('reactivate', false);
        $this->assertNull($result['error'], 'activate_plugin() failed: ' . $result['error']);
        $this->assertSame('', $result['output'], 'activation printed something');
        $this->assertTrue($result['active']);
    }

    public function test_admin_notice_tells_how_to_enable_the_extension(): void
    {
        $notice = $this->requirementsNotice(false);
        $this->assertContains('extension_missing', $notice['codes'], "notices: {$notice['text']}");
        $this->assertSame('extension_missing', $notice['codes'][0], 'the most fundamental problem comes first');
        $text = $notice['text'];
        $this->assertStringContainsString('extension=', $text, "the notice gives the php.ini line; notices: $text");
        $this->assertStringContainsString('php.ini', $text, "the notice names php.ini; notices: $text");
        $this->assertStringContainsString('mirakl_connector', $text, "the notice names the extension; notices: $text");
    }

    public function test_the_php_ini_line_is_exact_when_the_plugin_ships_a_build(): void
    {
        $text = $this->adminNoticesText(false);
        $bundled = WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/bin/' . \MiraklConnector\Requirements::extension_file_name();
        if (is_file($bundled)) {
            // Installed from the zip: the line to paste names the file the zip put there.
            $this->assertStringContainsString('extension=' . $bundled, $text, "notices: $text");
        } else {
            // A copy without bin/: the notice says how to build one.
            $this->assertStringContainsString('cargo build --release --features php', $text, "notices: $text");
        }
    }

    public function test_site_health_reports_the_missing_extension_as_critical(): void
    {
        $tests = $this->probe('site-health', false)['tests'];
        $reports = array_filter(array_column($tests, 'result'));
        $this->assertNotEmpty($reports, 'the Site Health test runs without the extension too');
        $this->assertContains('critical', array_column($reports, 'status'), 'a missing extension is critical');
    }

    public function test_uninstall_works_without_the_extension(): void
    {
        $this->assertFileExists(WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/uninstall.php');
        Site::forgetCachedOptions();
        update_option(Site::OPTION_PREFIX . 'settings', ['api_url' => 'http://127.0.0.1:9/api', 'api_key' => 'test-key'], false);
        $result = $this->probe('uninstall', false);
        $this->assertSame('', $result['output'], 'uninstall printed something');
        $this->assertSame([], Site::pluginOptionNames(), 'uninstall.php removes the options without the extension too');
        $this->probe('reactivate', false);
    }
}
