<?php
/**
 * The order meta the admin screens read, in one place: the keys Shop\WooShop writes when it
 * creates a marketplace order (keep both on the same names). The order's Mirakl state, deadlines,
 * tracking and refunds pushed are the core's (Engine::order_status), not meta. Works with orders
 * stored as posts and in HPOS tables (WooCommerce's CRUD API only).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Marketplace order meta keys and lookups.
 */
final class OrderMeta {

	/** The Mirakl order id; its presence is what makes an order a marketplace order. */
	public const MIRAKL_ORDER_ID = '_mirakl_order_id';
	/** The Mirakl commercial id (the customer-facing order number). */
	public const COMMERCIAL_ID = '_mirakl_commercial_id';
	/** Total commission as a decimal string. */
	public const COMMISSION_TOTAL = '_mirakl_commission_total';
	/** Mirakl's shipping type code (`shipping_type_code`). */
	public const SHIPPING_TYPE = '_mirakl_shipping_type_code';
	/** Mirakl's shipping zone code (`shipping_zone_code`). */
	public const SHIPPING_ZONE = '_mirakl_shipping_zone_code';
	/** The fulfillment center the order ships from (OR11 `fulfillment.center.code`). */
	public const FULFILLMENT_CENTER = \MiraklConnector\Shop\WooShop::META_FULFILLMENT_CENTER;
	/** The order's Mirakl custom fields, code => value. */
	public const ADDITIONAL_FIELDS = '_mirakl_additional_fields';

	/**
	 * The WooCommerce order id of a Mirakl order, or 0.
	 *
	 * @param string $mirakl_order_id Mirakl order id.
	 */
	public static function find_order_id( string $mirakl_order_id ): int {
		if ( '' === $mirakl_order_id || ! function_exists( 'wc_get_orders' ) ) {
			return 0;
		}
		$ids = wc_get_orders(
			array(
				'limit'      => 1,
				'return'     => 'ids',
				'type'       => 'shop_order',
				'status'     => 'any',
				'meta_key'   => self::MIRAKL_ORDER_ID, // phpcs:ignore WordPress.DB.SlowDBQuery -- one indexed lookup.
				'meta_value' => $mirakl_order_id, // phpcs:ignore WordPress.DB.SlowDBQuery -- one indexed lookup.
			)
		);
		return empty( $ids ) ? 0 : (int) $ids[0];
	}

	/**
	 * The order's edit screen (either storage).
	 *
	 * @param int $order_id Order id.
	 */
	public static function edit_url( int $order_id ): string {
		if ( $order_id <= 0 ) {
			return '';
		}
		if ( class_exists( '\Automattic\WooCommerce\Utilities\OrderUtil' ) && \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled() ) {
			return admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $order_id );
		}
		return admin_url( 'post.php?post=' . $order_id . '&action=edit' );
	}

	/**
	 * Marketplace orders created per day (UTC dates) over the last days.
	 *
	 * @param int $days Days.
	 * @return array<string, int>
	 */
	public static function orders_per_day( int $days ): array {
		if ( ! function_exists( 'wc_get_orders' ) ) {
			return array();
		}
		$orders = wc_get_orders(
			array(
				'limit'        => 1000,
				'type'         => 'shop_order',
				'status'       => 'any',
				'date_created' => '>=' . ( time() - $days * DAY_IN_SECONDS ),
				'meta_key'     => self::MIRAKL_ORDER_ID, // phpcs:ignore WordPress.DB.SlowDBQuery -- dashboard only.
				'meta_compare' => 'EXISTS',
			)
		);
		$counts = array();
		foreach ( $orders as $order ) {
			$created = $order->get_date_created();
			if ( null === $created ) {
				continue;
			}
			$day            = gmdate( 'Y-m-d', $created->getTimestamp() );
			$counts[ $day ] = ( $counts[ $day ] ?? 0 ) + 1;
		}
		return $counts;
	}
}
