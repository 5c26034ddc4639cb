<?php
/**
 * Shop-side settings the sync engine does not know about: how marketplace orders look in
 * WooCommerce (payment method title, whether WooCommerce's customer e-mails go to the
 * marketplace's anonymised address, which status means "shipped", where a product's reference
 * is kept). Stored in the option `mirakl_connector_shop_settings`; every key has a default here,
 * and the filter `mirakl_connector_shop_settings` sees the merged result.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * Reads the shop settings with their defaults.
 */
final class ShopSettings {

	public const OPTION = 'mirakl_connector_shop_settings';

	/**
	 * Every shop setting and its default.
	 */
	public const DEFAULTS = array(
		// Shown as "Mirakl (<name>)" in the order's payment method.
		'marketplace_name'          => 'Marketplace',
		// Send WooCommerce's customer e-mails (processing, completed, notes...) to the
		// marketplace's anonymised customer address: no by default, the marketplace informs
		// its customers itself.
		'send_customer_emails'      => false,
		// The WooCommerce status that means "shipped" (without `wc-`); empty = the status the
		// sync settings map SHIPPED to, else "completed".
		'shipped_status'            => '',
		// Product meta key holding the value of the offer's product identifier (an EAN...);
		// empty = none (the SKU is sent).
		'product_reference_meta'    => '',
		// Label of the tax line marketplace orders carry (the marketplace computes the taxes).
		'tax_label'                 => 'Marketplace tax',
		// Name of the shipping line.
		'shipping_method_title'     => 'Marketplace shipping',
	);

	/**
	 * The settings, every key present.
	 *
	 * @return array<string, mixed>
	 */
	public static function all(): array {
		$stored   = get_option( self::OPTION, array() );
		$settings = array_merge( self::DEFAULTS, is_array( $stored ) ? array_intersect_key( $stored, self::DEFAULTS ) : array() );
		/**
		 * Filters the connector's shop-side settings.
		 *
		 * @param array $settings The settings, defaults merged in.
		 */
		$settings = apply_filters( 'mirakl_connector_shop_settings', $settings );
		return is_array( $settings ) ? array_merge( self::DEFAULTS, $settings ) : self::DEFAULTS;
	}

	/**
	 * One setting.
	 *
	 * @param string $key Setting name (a key of DEFAULTS).
	 * @return mixed
	 */
	public static function get( string $key ) {
		$all = self::all();
		return $all[ $key ] ?? null;
	}

	/**
	 * The validated sync settings (defaults filled in by the core), or the defaults when the
	 * stored ones are invalid. The filter `mirakl_connector_sync_settings` sees the stored array.
	 *
	 * @param \MiraklConnector\Native\Bridge $bridge The native bridge.
	 * @return array
	 */
	public static function sync( \MiraklConnector\Native\Bridge $bridge ): array {
		$stored = get_option( \MiraklConnector\Lifecycle::OPTION_SYNC_SETTINGS, array() );
		$stored = is_array( $stored ) ? $stored : array();
		try {
			return $bridge->validate_sync_settings( $stored );
		} catch ( \Throwable $e ) {
			return $bridge->validate_sync_settings( array() );
		}
	}

	/**
	 * The WooCommerce status (without `wc-`) whose arrival means the order was shipped.
	 *
	 * @param array $sync Validated sync settings.
	 */
	public static function shipped_status( array $sync ): string {
		$status = (string) self::get( 'shipped_status' );
		if ( '' === $status ) {
			$status = (string) ( $sync['status_mapping']['SHIPPED'] ?? 'completed' );
		}
		return self::strip_prefix( $status );
	}

	/**
	 * A status slug without WooCommerce's `wc-` prefix.
	 *
	 * @param string $status Status, with or without the prefix.
	 */
	public static function strip_prefix( string $status ): string {
		return str_starts_with( $status, 'wc-' ) ? substr( $status, 3 ) : $status;
	}
}
