<?php
/**
 * Removes everything the plugin created when it is deleted from wp-admin.
 *
 * @package MiraklConnector
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! defined( 'MIRAKL_CONNECTOR_DIR' ) ) {
	define( 'MIRAKL_CONNECTOR_DIR', __DIR__ );
}
require_once __DIR__ . '/src/Autoloader.php';
\MiraklConnector\Autoloader::register( 'MiraklConnector\\', __DIR__ . '/src/' );
\MiraklConnector\Lifecycle::uninstall();
