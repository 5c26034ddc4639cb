<?php
/**
 * Boots the plugin on `init` (priority 5, after WooCommerce's): loads the text domain, checks requirements, and registers the services only
 * when they are all met. Each service owns its hooks in a `register()` method.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

use MiraklConnector\Admin\RequirementsNotice;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * The composition root.
 */
final class Plugin {

	/**
	 * Whether the connector's services are running in this request.
	 *
	 * @var bool
	 */
	private static bool $active = false;

	/**
	 * Entry point, hooked on `init` at priority 5: nothing is translated before `init`, which
	 * WordPress 6.7+ reports as translation loading triggered too early.
	 */
	public static function boot(): void {
		self::load_textdomain();

		$bridge       = new Bridge();
		$requirements = new Requirements( $bridge );
		( new SiteHealth( $bridge, $requirements ) )->register();

		$unmet = $requirements->unmet();
		if ( ! empty( $unmet ) ) {
			( new RequirementsNotice( $unmet ) )->register();
			self::$active = false;
			return;
		}
		self::$active = true;
		( new Admin\Admin( $bridge ) )->register();
		self::register_sync_services( $bridge );
		( new Finance\Finance( $bridge ) )->register();

		/**
		 * Fires once the connector's requirements are met and its services are registered.
		 *
		 * @param Bridge $bridge The native bridge.
		 */
		do_action( 'mirakl_connector_loaded', $bridge );
	}

	/**
	 * The sync services: hooks that collect WooCommerce events, the runner (WP-Cron, WP-CLI)
	 * and the customer e-mail guard.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	private static function register_sync_services( Bridge $bridge ): void {
		$changes = new Hooks\ChangeMap( $bridge );
		$changes->register();
		( new Hooks\CatalogueHooks( $changes ) )->register();
		( new Hooks\OrderHooks( $changes, $bridge ) )->register();
		( new Hooks\CustomerEmails() )->register();
		$runner = new Runner\Runner( $bridge, $changes );
		( new Runner\Cron( $runner ) )->register();
		Cli\Command::register( $runner );
	}

	/**
	 * Whether requirements were met and the services registered.
	 */
	public static function is_active(): bool {
		return self::$active;
	}

	/**
	 * Loads translations.
	 */
	public static function load_textdomain(): void {
		load_plugin_textdomain( 'mirakl-connector-for-woocommerce', false, dirname( plugin_basename( MIRAKL_CONNECTOR_FILE ) ) . '/languages' );
	}
}
