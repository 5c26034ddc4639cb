<?php
/**
 * Where an order's tracking is read from, first found wins: the connector's own order fields
 * (`_mirakl_carrier`, `_mirakl_tracking_number`, `_mirakl_tracking_url`), the meta of the common
 * shipment-tracking plugins (WooCommerce Shipment Tracking and Advanced Shipment Tracking:
 * `_wc_shipment_tracking_items`; YITH Order Tracking: `ywot_*`), then the filter
 * `mirakl_connector_order_tracking` for anything else.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * Reads tracking from an order.
 */
final class TrackingReader {

	public const META_CARRIER         = '_mirakl_carrier';
	public const META_TRACKING_NUMBER = '_mirakl_tracking_number';
	public const META_TRACKING_URL    = '_mirakl_tracking_url';

	/**
	 * Meta keys whose change means tracking may have been added.
	 */
	public const WATCHED_META = array(
		self::META_CARRIER,
		self::META_TRACKING_NUMBER,
		'_wc_shipment_tracking_items',
		'ywot_tracking_code',
	);

	/**
	 * The order's tracking, or null when it has no tracking number.
	 *
	 * @param \WC_Order $order The order.
	 * @return array{carrier: string, tracking_number: string, tracking_url: string|null}|null
	 */
	public static function read( \WC_Order $order ): ?array {
		$tracking = self::own( $order ) ?? self::shipment_tracking( $order ) ?? self::yith( $order );
		/**
		 * Filters the tracking sent to the marketplace for an order.
		 *
		 * @param array|null $tracking {carrier, tracking_number, tracking_url} or null.
		 * @param \WC_Order  $order    The order.
		 */
		$tracking = apply_filters( 'mirakl_connector_order_tracking', $tracking, $order );
		if ( ! is_array( $tracking ) || '' === trim( (string) ( $tracking['tracking_number'] ?? '' ) ) ) {
			return null;
		}
		$url = trim( (string) ( $tracking['tracking_url'] ?? '' ) );
		return array(
			'carrier'         => trim( (string) ( $tracking['carrier'] ?? '' ) ),
			'tracking_number' => trim( (string) $tracking['tracking_number'] ),
			'tracking_url'    => '' === $url ? null : $url,
		);
	}

	/**
	 * The connector's own fields.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function own( \WC_Order $order ): ?array {
		$number = (string) $order->get_meta( self::META_TRACKING_NUMBER );
		if ( '' === $number ) {
			return null;
		}
		return array(
			'carrier'         => (string) $order->get_meta( self::META_CARRIER ),
			'tracking_number' => $number,
			'tracking_url'    => (string) $order->get_meta( self::META_TRACKING_URL ),
		);
	}

	/**
	 * WooCommerce Shipment Tracking / Advanced Shipment Tracking: a list of items, the last one
	 * the most recent.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function shipment_tracking( \WC_Order $order ): ?array {
		$items = $order->get_meta( '_wc_shipment_tracking_items' );
		if ( ! is_array( $items ) || empty( $items ) ) {
			return null;
		}
		$item = end( $items );
		if ( ! is_array( $item ) || empty( $item['tracking_number'] ) ) {
			return null;
		}
		$carrier = (string) ( $item['custom_tracking_provider'] ?? '' );
		if ( '' === $carrier ) {
			$carrier = (string) ( $item['tracking_provider'] ?? '' );
		}
		return array(
			'carrier'         => $carrier,
			'tracking_number' => (string) $item['tracking_number'],
			'tracking_url'    => (string) ( $item['custom_tracking_link'] ?? '' ),
		);
	}

	/**
	 * YITH WooCommerce Order Tracking.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function yith( \WC_Order $order ): ?array {
		$number = (string) $order->get_meta( 'ywot_tracking_code' );
		if ( '' === $number ) {
			return null;
		}
		$carrier = (string) $order->get_meta( 'ywot_carrier_name' );
		if ( '' === $carrier ) {
			$carrier = (string) $order->get_meta( 'ywot_carrier_id' );
		}
		return array(
			'carrier'         => $carrier,
			'tracking_number' => $number,
			'tracking_url'    => null,
		);
	}
}
