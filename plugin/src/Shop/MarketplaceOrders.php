<?php
/**
 * The reads of the Shop port the core's sweeper makes (WooShop dispatches to it): shop orders
 * carrying a Mirakl order id modified since a time, page by page, with their refunds.
 *
 * Invariants: the same query in both order storages (HPOS and posts), through wc_get_orders()
 * with `meta_key` (the posts storage ignores `meta_query` there); ordered by id so a pass over
 * the pages skips no order; an order without the Mirakl id that a storage lets through is left
 * out here.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * Marketplace orders as the sweeper sees them.
 */
final class MarketplaceOrders {

	/**
	 * One page of marketplace orders modified at or after `$since`.
	 *
	 * @param int $since    Unix time.
	 * @param int $page     Page, from 1.
	 * @param int $per_page Orders per page.
	 * @return array{orders: list<array<string, mixed>>, more: bool}
	 */
	public function page( int $since, int $page, int $per_page ): array {
		$found = wc_get_orders(
			array(
				'type'          => 'shop_order',
				'status'        => array_keys( wc_get_order_statuses() ),
				'limit'         => $per_page,
				'page'          => $page,
				'paginate'      => true,
				'orderby'       => 'ID',
				'order'         => 'ASC',
				'date_modified' => '>=' . max( 0, $since ),
				'meta_key'      => WooShop::META_ORDER_ID, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
				'meta_compare'  => 'EXISTS',
			)
		);
		$orders = is_object( $found ) && isset( $found->orders ) ? (array) $found->orders : array();
		$pages  = is_object( $found ) && isset( $found->max_num_pages ) ? (int) $found->max_num_pages : 1;
		$rows   = array();
		foreach ( $orders as $order ) {
			if ( ! $order instanceof \WC_Order ) {
				continue;
			}
			$mirakl_id = (string) $order->get_meta( WooShop::META_ORDER_ID );
			if ( '' === $mirakl_id ) {
				continue;
			}
			$modified = $order->get_date_modified() ?? $order->get_date_created();
			$rows[]   = array(
				'id'              => (int) $order->get_id(),
				'mirakl_order_id' => $mirakl_id,
				'status'          => (string) $order->get_status(),
				'modified_at'     => self::time( $modified ),
				'refunds'         => $this->refunds( $order ),
			);
		}
		return array(
			'orders' => $rows,
			'more'   => $page < $pages && array() !== $orders,
		);
	}

	/**
	 * The order's refunds, newest first as WooCommerce lists them.
	 *
	 * @param \WC_Order $order The order.
	 * @return list<array<string, mixed>>
	 */
	private function refunds( \WC_Order $order ): array {
		$decimals = Money::decimals();
		$refunds  = array();
		foreach ( $order->get_refunds() as $refund ) {
			$mirakl_refund_id = (string) $refund->get_meta( WooShop::META_REFUND_ID );
			$refunds[]        = array(
				'id'               => (int) $refund->get_id(),
				'amount'           => Money::format( abs( Money::micros( $refund->get_amount() ) ), $decimals ),
				'created_at'       => self::time( $refund->get_date_created() ),
				'mirakl_refund_id' => '' === $mirakl_refund_id ? null : $mirakl_refund_id,
			);
		}
		return $refunds;
	}

	/**
	 * A WooCommerce date as the core reads it (RFC 3339, UTC); the epoch when there is none.
	 *
	 * @param \WC_DateTime|null $date The date.
	 */
	private static function time( $date ): string {
		$timestamp = $date instanceof \WC_DateTime ? $date->getTimestamp() : 0;
		return gmdate( 'Y-m-d\TH:i:s\Z', $timestamp );
	}
}
