<?php
/**
 * Declares which WooCommerce features the connector supports, before WooCommerce initialises.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce feature compatibility declarations.
 */
final class Compatibility {

	/**
	 * Hooked on `before_woocommerce_init`. Orders are only ever reached through WooCommerce's
	 * CRUD API, so both order storages (HPOS custom order tables and posts) are supported; the
	 * connector adds nothing to the cart or checkout pages and follows stock through WooCommerce's
	 * product hooks, which the block-based Cart and Checkout (Store API) fire like the classic
	 * ones, so it is compatible with them too.
	 */
	public static function declare(): void {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			foreach ( array( 'custom_order_tables', 'cart_checkout_blocks' ) as $feature ) {
				\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( $feature, MIRAKL_CONNECTOR_FILE, true );
			}
		}
	}
}
