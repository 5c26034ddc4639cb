<?php
/**
 * Activation and deactivation. Activation must work even while requirements are unmet (the
 * admin then sees the requirements notice); it never calls the extension.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

defined( 'ABSPATH' ) || exit;

/**
 * Activation/deactivation callbacks.
 */
final class Lifecycle {

	public const OPTION_VERSION  = 'mirakl_connector_version';
	public const OPTION_SETTINGS = 'mirakl_connector_settings';
	public const OPTION_SYNC_SETTINGS = 'mirakl_connector_sync_settings';
	public const OPTION_FINANCE_SETTINGS = 'mirakl_connector_finance_settings';

	/**
	 * Every option the plugin may create; uninstall removes them.
	 */
	public const OPTIONS = array(
		self::OPTION_VERSION,
		self::OPTION_SETTINGS,
		self::OPTION_SYNC_SETTINGS,
		self::OPTION_FINANCE_SETTINGS,
		StateDirectory::SECRET_OPTION,
		Admin\Settings::OPTION_SHOP,
		Admin\ConnectionCheck::OPTION,
		Admin\Alerts::OPTION_DIGEST_UNTIL,
		Finance\FinanceRun::OPTION_EXPECTED_SINCE,
		Finance\FinanceRun::OPTION_LAST_RUN,
	);

	/**
	 * The hooks the plugin may schedule; deactivation unschedules them.
	 */
	public const SCHEDULED_HOOKS = array( 'mirakl_connector_tick', Admin\Alerts::DIGEST_HOOK, Finance\FinanceCron::HOOK );

	/**
	 * Activation: records the version, creates the settings option (never autoloaded: it holds
	 * the API key) and prepares the state directory.
	 */
	public static function activate(): void {
		update_option( self::OPTION_VERSION, MIRAKL_CONNECTOR_VERSION, false );
		if ( false === get_option( self::OPTION_SETTINGS ) ) {
			add_option( self::OPTION_SETTINGS, array(), '', 'no' );
		}
		StateDirectory::ensure();
	}

	/**
	 * Deactivation: stops scheduled work; keeps settings and state for a later reactivation.
	 */
	public static function deactivate(): void {
		foreach ( self::SCHEDULED_HOOKS as $hook ) {
			// Every event of the hook, whatever its arguments (a resumed finance import has one).
			wp_unschedule_hook( $hook );
		}
	}

	/**
	 * Uninstall: removes options, scheduled work and the state directory.
	 */
	public static function uninstall(): void {
		if ( is_multisite() && function_exists( 'get_sites' ) ) {
			// Every site of the network has its own options, schedule and state directory.
			foreach ( get_sites(
				array(
					'fields' => 'ids',
					'number' => 0,
				)
			) as $site_id ) {
				switch_to_blog( (int) $site_id );
				self::uninstall_site();
				restore_current_blog();
			}
			return;
		}
		self::uninstall_site();
	}

	/**
	 * Uninstall of the current site.
	 */
	private static function uninstall_site(): void {
		self::deactivate();
		StateDirectory::remove();
		Shop\MarketplaceTax::remove();
		foreach ( self::OPTIONS as $option ) {
			delete_option( $option );
		}
	}
}
