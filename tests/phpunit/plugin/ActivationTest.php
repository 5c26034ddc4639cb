<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Tests\PluginTestCase;
use MiraklConnector\Tests\Site;

/**
 * The plugin on a site without WooCommerce, extension loaded: it activates cleanly, stays inert
 * and says in wp-admin that WooCommerce is needed.
 */
final class ActivationTest extends PluginTestCase
{
    public function test_the_site_has_no_woocommerce_and_the_extension_is_loaded(): void
    {
        $this->assertFalse(class_exists('WooCommerce', false), 'this suite runs without WooCommerce');
        $this->assertTrue(extension_loaded('mirakl_connector'), 'this suite runs with the extension loaded');
    }

    public function test_plugin_is_active_after_activation_without_woocommerce(): void
    {
        $this->assertPluginActive();
        $this->assertTrue(defined('MIRAKL_CONNECTOR_VERSION'), 'the main file defines MIRAKL_CONNECTOR_VERSION');
    }

    public function test_deactivating_and_activating_again_gives_no_error_and_no_output(): void
    {
        $result = $this->probe('reactivate', true);
        if (version_compare(get_bloginfo('version'), '6.5', '>=')) {
            // "Requires Plugins: woocommerce": WordPress 6.5+ refuses it while WooCommerce is missing.
            $this->assertIsString($result['refused_for_dependencies'], 'WordPress 6.5+ refuses the plugin without WooCommerce');
            $this->assertStringContainsString('WooCommerce', $result['refused_for_dependencies']);
        } else {
            $this->assertNull($result['refused_for_dependencies']);
        }
        $this->assertSame('', $result['deactivation_output'], 'deactivation printed something');
        $this->assertNull($result['error'], 'activate_plugin() failed: ' . $result['error']);
        $this->assertSame('', $result['output'], 'activation printed something');
        $this->assertTrue($result['active']);
    }

    public function test_plugin_stays_inert_without_woocommerce(): void
    {
        $this->assertFalse(\MiraklConnector\Plugin::is_active(), 'the services are not registered without WooCommerce');
        $this->assertSame(0, did_action('mirakl_connector_loaded'));
    }

    public function test_admin_notice_says_woocommerce_is_required(): void
    {
        $notice = $this->requirementsNotice(true);
        $this->assertSame(['woocommerce_missing'], $notice['codes'], "the only unmet requirement is WooCommerce; notices: {$notice['text']}");
        $this->assertStringContainsString('WooCommerce', $notice['text']);
        $this->assertStringContainsString('activate', $notice['text'], 'the notice says what to do');
    }

    public function test_admin_notice_does_not_ask_for_the_extension_when_it_is_loaded(): void
    {
        $text = $this->adminNoticesText(true);
        $this->assertStringNotContainsString('extension=', $text, "no extension instructions when it is loaded; notices: $text");
        $this->assertStringNotContainsString('php.ini', $text, "no extension instructions when it is loaded; notices: $text");
    }

    public function test_extension_version_matches_the_plugin(): void
    {
        $this->assertTrue(function_exists('MiraklConnector\Native\version'), 'the extension exports MiraklConnector\Native\version()');
        $this->assertSame(MIRAKL_CONNECTOR_VERSION, \MiraklConnector\Native\version());
    }

    public function test_plugin_header_matches_the_constant_and_text_domain(): void
    {
        $data = get_plugin_data(Site::pluginMainFile(), false, false);
        $this->assertSame(MIRAKL_CONNECTOR_VERSION, $data['Version'], 'the Version header equals MIRAKL_CONNECTOR_VERSION');
        $this->assertSame(Site::PLUGIN_SLUG, $data['TextDomain']);
        $this->assertNotSame('', $data['RequiresPHP'], 'the header states Requires PHP');
        $this->assertTrue(version_compare($data['RequiresPHP'], '8.1', '>='), 'Requires PHP is at least 8.1');
    }

    public function test_activation_and_deactivation_callbacks_are_registered(): void
    {
        $basename = plugin_basename(Site::pluginMainFile());
        $this->assertSame(Site::PLUGIN_FILE, $basename);
        $this->assertNotFalse(has_action('activate_' . $basename), 'register_activation_hook() was called');
        $this->assertNotFalse(has_action('deactivate_' . $basename), 'register_deactivation_hook() was called');
    }

    public function test_hpos_compatibility_is_declared_on_before_woocommerce_init(): void
    {
        $this->assertNotFalse(has_action('before_woocommerce_init'), 'a callback on before_woocommerce_init declares HPOS compatibility');
    }
}
