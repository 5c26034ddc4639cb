<?php
/**
 * Plugin Name:       Mirakl Connector for WooCommerce
 * Description:       Sell your WooCommerce catalogue on Mirakl-powered marketplaces: stock, orders, shipping, refunds and payouts kept in step, with every failure shown in wp-admin.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Tested up to:      7.1
 * Requires PHP:      8.1
 * Requires Plugins:  woocommerce
 * Author:            Mirakl Connector for WooCommerce contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       mirakl-connector-for-woocommerce
 * Domain Path:       /languages
 * WC requires at least: 7.9
 * WC tested up to:   10.5
 *
 * This file only declares constants, checks the PHP version, declares WooCommerce feature
 * compatibility and boots the plugin on `init`. It must parse on old PHP versions so that a too-old PHP
 * gets a notice instead of a fatal error.
 *
 * @package MiraklConnector
 */

defined( 'ABSPATH' ) || exit;

define( 'MIRAKL_CONNECTOR_VERSION', '0.1.0' );
define( 'MIRAKL_CONNECTOR_FILE', __FILE__ );
define( 'MIRAKL_CONNECTOR_DIR', __DIR__ );
define( 'MIRAKL_CONNECTOR_MIN_PHP', '8.1' );

if ( version_compare( PHP_VERSION, MIRAKL_CONNECTOR_MIN_PHP, '<' ) ) {
	add_action(
		'admin_notices',
		function () {
			if ( ! current_user_can( 'activate_plugins' ) ) {
				return;
			}
			printf(
				'<div class="notice notice-error"><p>%s</p></div>',
				esc_html(
					sprintf(
						/* translators: 1: required PHP version, 2: running PHP version */
						__( 'Mirakl Connector for WooCommerce needs PHP %1$s or later; this site runs PHP %2$s. Ask your host to upgrade PHP; the connector stays inactive until then.', 'mirakl-connector-for-woocommerce' ),
						MIRAKL_CONNECTOR_MIN_PHP,
						PHP_VERSION
					)
				)
			);
		}
	);
	return;
}

require_once __DIR__ . '/src/Autoloader.php';
\MiraklConnector\Autoloader::register( 'MiraklConnector\\', __DIR__ . '/src/' );

register_activation_hook( __FILE__, array( \MiraklConnector\Lifecycle::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \MiraklConnector\Lifecycle::class, 'deactivate' ) );
add_action( 'before_woocommerce_init', array( \MiraklConnector\Compatibility::class, 'declare' ) );
// On `init` (after WooCommerce's own, at 0): the requirements notice and the services translate
// their strings, and WordPress 6.7+ wants no translation before `init`.
add_action( 'init', array( \MiraklConnector\Plugin::class, 'boot' ), 5 );
