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
	 * CRUD API, so both order storages (HPOS custom order tables and posts) are supported.
	 */
	public static function declare(): void {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', MIRAKL_CONNECTOR_FILE, true );
		}
	}
}
