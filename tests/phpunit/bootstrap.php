<?php
/**
 * PHPUnit bootstrap: loads the throw-away WordPress site that build/test prepared
 * (MIRAKL_TEST_WP_DIR), with the plugin already activated in it, and WooCommerce too for the
 * woocommerce suite. Nothing is mailed: `pre_wp_mail` is filtered before WordPress loads.
 *
 * WordPress 6.1's bundled Requests library (and WooCommerce 7.9) raise E_DEPRECATED on PHP 8.2;
 * PHPUnit does not turn deprecations into failures (phpunit.xml.dist): they go to the site's
 * debug.log, where build/test fails the suite on any that the plugin's own files raise.
 */

$site = getenv('MIRAKL_TEST_WP_DIR');
if (!$site || !is_file($site . '/wp-load.php')) {
    fwrite(STDERR, "MIRAKL_TEST_WP_DIR must name a WordPress site prepared by build/test (got '"
        . $site . "'). Run the PHPUnit suites through build/test.\n");
    exit(1);
}

require_once __DIR__ . '/includes/Site.php';
require_once __DIR__ . '/includes/PluginTestCase.php';
require_once __DIR__ . '/includes/SandboxServer.php';
require_once __DIR__ . '/includes/MarketplaceTestCase.php';

MiraklConnector\Tests\Site::addFilterBeforeLoad('pre_wp_mail', [MiraklConnector\Tests\Site::class, 'captureMail'], 10, 2);

// The PHPUnit process is a command-line "request" for the front page.
$_SERVER['REQUEST_URI'] = '/';
require_once $site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

error_reporting(E_ALL);
