<?php

namespace MiraklConnector\Tests\WooCommerce;

use Automattic\WooCommerce\Internal\Features\FeaturesController;
use Automattic\WooCommerce\Utilities\FeaturesUtil;
use MiraklConnector\Tests\PluginTestCase;
use MiraklConnector\Tests\Site;

/**
 * WooCommerce activated after the plugin, extension loaded: WooCommerce's installer ran, the
 * requirements notice is gone, and the plugin is declared compatible with HPOS and the Cart and
 * Checkout blocks.
 */
final class WooCommerceActiveTest extends PluginTestCase
{
    public function test_woocommerce_is_active_and_its_installer_ran(): void
    {
        $this->assertTrue(class_exists('WooCommerce', false), 'WooCommerce is loaded');
        $this->assertTrue(is_plugin_active('woocommerce/woocommerce.php'));
        $this->assertSame(WC()->version, get_option('woocommerce_version'), 'the installer recorded its version');
        global $wpdb;
        $table = $wpdb->prefix . 'wc_order_stats';
        $this->assertSame($table, $wpdb->get_var($wpdb->prepare('SHOW TABLES LIKE %s', $table)), 'the installer created its tables');
    }

    public function test_plugin_is_active_with_the_extension_loaded(): void
    {
        $this->assertPluginActive();
        $this->assertTrue(extension_loaded('mirakl_connector'));
        $this->assertSame(MIRAKL_CONNECTOR_VERSION, \MiraklConnector\Native\version());
        $this->assertTrue(\MiraklConnector\Plugin::is_active(), 'every requirement is met: the services are registered');
        $this->assertSame(1, did_action('mirakl_connector_loaded'));
    }

    public function test_the_requirements_notice_is_gone(): void
    {
        $notice = $this->requirementsNotice(true);
        $this->assertSame([], $notice['codes'], "no unmet requirement; notices: {$notice['text']}");
        $text = $notice['text'];
        $this->assertStringNotContainsString('extension=', $text, "no extension instructions; notices: $text");
        $this->assertStringNotContainsString('php.ini', $text, "no extension instructions; notices: $text");
        $this->assertDoesNotMatchRegularExpression('/requires?\b[^.]*WooCommerce/i', $text, "no WooCommerce requirement; notices: $text");
    }

    public function test_hpos_compatibility_is_declared(): void
    {
        $this->assertTrue(did_action('before_woocommerce_init') > 0);
        $plugins = wc_get_container()->get(FeaturesController::class)->get_compatible_plugins_for_feature('custom_order_tables');
        $this->assertContains(Site::PLUGIN_FILE, $plugins['compatible'], 'FeaturesController lists the plugin as compatible with custom_order_tables');
        $this->assertContains('custom_order_tables', FeaturesUtil::get_compatible_features_for_plugin(Site::PLUGIN_FILE)['compatible'] ?? []);
    }

    public function test_cart_and_checkout_blocks_compatibility_is_declared(): void
    {
        // The block-based Cart and Checkout (Store API) are WooCommerce's default since 8.3.
        $plugins = wc_get_container()->get(FeaturesController::class)->get_compatible_plugins_for_feature('cart_checkout_blocks');
        $this->assertContains(Site::PLUGIN_FILE, $plugins['compatible'], 'FeaturesController lists the plugin as compatible with cart_checkout_blocks');
        $this->assertContains('cart_checkout_blocks', FeaturesUtil::get_compatible_features_for_plugin(Site::PLUGIN_FILE)['compatible'] ?? []);
    }
}
