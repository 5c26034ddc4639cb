<?php
/**
 * Where the connector's settings live and what they default to. Three options: the connection
 * (holds the API key, never autoloaded, never printed), the sync settings (exactly the keys the
 * core accepts) and the shop-side settings the core does not read (which products are listed,
 * shipped status, customer e-mails, alerts).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Lifecycle;

defined( 'ABSPATH' ) || exit;

/**
 * Reads the stored settings with their defaults.
 */
final class Settings {

	/**
	 * Shop-side settings the core does not read (autoloaded: read on most requests). The same
	 * option and key names as Shop\ShopSettings, which the sync side reads; keys the form does
	 * not show are kept as stored.
	 */
	public const OPTION_SHOP = 'mirakl_connector_shop_settings';

	/** Connection fields as stored (the names the core's validator reads). */
	public const CONNECTION_DEFAULTS = array(
		'api_url'          => '',
		'api_key'          => '',
		'shop_id'          => '',
		'connect_timeout'  => 5,
		'timeout'          => 30,
		'max_response_mib' => 8,
		'max_export_mib'   => 64,
		'allowed_hosts'    => array(),
	);

	/** Product types WooCommerce has out of the box that can become offers. */
	public const PRODUCT_TYPES = array( 'simple', 'variable' );

	/** Mirakl order states a shop status can be mapped for. */
	public const ORDER_STATES = array(
		'WAITING_ACCEPTANCE',
		'WAITING_DEBIT',
		'WAITING_DEBIT_PAYMENT',
		'SHIPPING',
		'SHIPPED',
		'TO_COLLECT',
		'RECEIVED',
		'CLOSED',
	);

	/**
	 * The shop-side defaults.
	 *
	 * @return array<string, mixed>
	 */
	public static function shop_defaults(): array {
		return array(
			'listed_product_types' => array( 'simple', 'variable' ),
			'product_reference_meta' => '',
			'send_customer_emails' => false,
			'shipped_status'       => 'completed',
			'marketplace_name'     => 'Marketplace',
			'alert_recipients'     => array(),
			'alert_kinds'          => ProblemKinds::DEFAULT_MAILED,
		);
	}

	/**
	 * The stored connection with defaults for missing fields (the API key included: callers
	 * must never print it).
	 *
	 * @return array<string, mixed>
	 */
	public static function connection(): array {
		$stored = get_option( Lifecycle::OPTION_SETTINGS, array() );
		return array_merge( self::CONNECTION_DEFAULTS, is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Whether an API URL and key are stored.
	 */
	public static function is_connected(): bool {
		$connection = self::connection();
		return '' !== (string) $connection['api_url'] && '' !== (string) $connection['api_key'];
	}

	/**
	 * The stored sync settings (raw; the core fills in its defaults).
	 *
	 * @return array<string, mixed>
	 */
	public static function sync(): array {
		$stored = get_option( Lifecycle::OPTION_SYNC_SETTINGS, array() );
		return is_array( $stored ) ? $stored : array();
	}

	/**
	 * The shop-side settings with defaults.
	 *
	 * @return array<string, mixed>
	 */
	public static function shop(): array {
		$stored = get_option( self::OPTION_SHOP, array() );
		return array_merge( self::shop_defaults(), is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Saves all three at once; the caller has validated every value first.
	 *
	 * @param array $connection Connection settings (empty array: not configured).
	 * @param array $sync       Sync settings as the core normalised them.
	 * @param array $shop       Shop-side settings.
	 */
	public static function save( array $connection, array $sync, array $shop ): void {
		// The connection holds the API key: never autoloaded.
		if ( false === get_option( Lifecycle::OPTION_SETTINGS ) ) {
			add_option( Lifecycle::OPTION_SETTINGS, $connection, '', 'no' );
		} else {
			update_option( Lifecycle::OPTION_SETTINGS, $connection, false );
		}
		update_option( Lifecycle::OPTION_SYNC_SETTINGS, $sync, false );
		$stored = get_option( self::OPTION_SHOP, array() );
		update_option( self::OPTION_SHOP, array_merge( is_array( $stored ) ? $stored : array(), $shop ), true );
	}
}
