<?php
/**
 * The expected side of the finance matching: what WooCommerce says each marketplace order and
 * its refunds are worth, in the shape the core's `finance_record_expected()` takes. Amounts are
 * positive decimal strings without tax, read from the order as it stands now (line items,
 * shipping lines, their taxes, refunds), so an order edited in WooCommerce is compared as edited.
 *
 * Invariants: one expected order per marketplace order (`_mirakl_order_id`); fee lines (the
 * commission fee line included) are never part of it; a refund whose amount is not itemised
 * counts in full under `amount`, so its gross total still equals what WooCommerce refunded.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Shop\Money;
use MiraklConnector\Shop\WooShop;

defined( 'ABSPATH' ) || exit;

/**
 * Builds expected orders from WooCommerce orders.
 */
class ExpectedOrders {

	/** Line meta: the line's shipping without tax as the marketplace sent it (how WooCommerce's single shipping line splits per line). */
	public const META_LINE_SHIPPING = '_mirakl_shipping_amount';
	/** Line meta: the line's shipping tax as the marketplace sent it. */
	public const META_LINE_SHIPPING_TAX = '_mirakl_shipping_tax';

	/** Orders read per query. */
	private const PAGE = 200;

	/**
	 * The expected order of a marketplace order, or null for any other order.
	 *
	 * @param \WC_Order $order The order.
	 * @return array|null {mirakl_order_id, wc_order_id, currency, cancelled, lines, refunds}.
	 */
	public static function build( \WC_Order $order ): ?array {
		$mirakl_order_id = (string) $order->get_meta( WooShop::META_ORDER_ID );
		if ( '' === $mirakl_order_id ) {
			return null;
		}
		$decimals = Money::decimals();
		$unit     = 10 ** ( 6 - max( 0, min( 6, $decimals ) ) );

		$lines            = array();
		$shipping_weights = array();
		$tax_weights      = array();
		$quantities       = array();
		foreach ( $order->get_items( 'line_item' ) as $item ) {
			$line_id = (string) $item->get_meta( WooShop::META_LINE_ID );
			if ( '' === $line_id ) {
				continue;
			}
			$lines[]            = array(
				'mirakl_order_line_id' => $line_id,
				'amount'               => Money::micros( $item->get_total() ),
				'shipping'             => 0,
				'tax'                  => Money::micros( $item->get_total_tax() ),
				'shipping_tax'         => 0,
				'commission_fee'       => Money::micros( (string) $item->get_meta( WooShop::META_COMMISSION_FEE ) ),
				'commission_vat'       => Money::micros( (string) $item->get_meta( WooShop::META_COMMISSION_VAT ) ),
			);
			$shipping_weights[] = Money::micros( (string) $item->get_meta( self::META_LINE_SHIPPING ) );
			$tax_weights[]      = Money::micros( (string) $item->get_meta( self::META_LINE_SHIPPING_TAX ) );
			$quantities[]       = max( 0, (int) $item->get_quantity() );
		}

		$shipping     = 0;
		$shipping_tax = 0;
		foreach ( $order->get_items( 'shipping' ) as $item ) {
			$shipping     += Money::micros( $item->get_total() );
			$shipping_tax += Money::micros( $item->get_total_tax() );
		}
		// WooCommerce holds one shipping line; Mirakl books shipping per order line. Split it the
		// way the marketplace did when the line meta says so, else by quantity.
		$weights = array_sum( $shipping_weights ) > 0 ? $shipping_weights : $quantities;
		foreach ( self::allocate( $shipping, $weights, $unit ) as $index => $share ) {
			$lines[ $index ]['shipping'] = $share;
		}
		$weights = array_sum( $tax_weights ) > 0 ? $tax_weights : $weights;
		foreach ( self::allocate( $shipping_tax, $weights, $unit ) as $index => $share ) {
			$lines[ $index ]['shipping_tax'] = $share;
		}

		$refunds = array();
		foreach ( $order->get_refunds() as $refund ) {
			$refunds[] = self::refund( $refund, $decimals );
		}

		return array(
			'mirakl_order_id' => $mirakl_order_id,
			'wc_order_id'     => (int) $order->get_id(),
			'currency'        => (string) $order->get_currency(),
			'cancelled'       => $order->has_status( 'cancelled' ),
			'lines'           => array_map(
				static function ( array $line ) use ( $decimals ): array {
					foreach ( array( 'amount', 'shipping', 'tax', 'shipping_tax', 'commission_fee', 'commission_vat' ) as $figure ) {
						$line[ $figure ] = Money::format( $line[ $figure ], $decimals );
					}
					return $line;
				},
				$lines
			),
			'refunds'         => $refunds,
		);
	}

	/**
	 * One refund: amounts without tax and their taxes, positive.
	 *
	 * @param \WC_Order_Refund $refund   The refund.
	 * @param int              $decimals Price decimals.
	 */
	private static function refund( \WC_Order_Refund $refund, int $decimals ): array {
		$amount       = 0;
		$tax          = 0;
		$shipping     = 0;
		$shipping_tax = 0;
		foreach ( $refund->get_items( 'line_item' ) as $item ) {
			$amount += abs( Money::micros( $item->get_total() ) );
			$tax    += abs( Money::micros( $item->get_total_tax() ) );
		}
		foreach ( $refund->get_items( 'shipping' ) as $item ) {
			$shipping     += abs( Money::micros( $item->get_total() ) );
			$shipping_tax += abs( Money::micros( $item->get_total_tax() ) );
		}
		$total     = abs( Money::micros( $refund->get_amount() ) );
		$itemised  = $amount + $tax + $shipping + $shipping_tax;
		if ( $total > $itemised ) {
			// A refund of an amount only: its whole gross is compared.
			$amount += $total - $itemised;
		}
		$ids = array_values(
			array_filter(
				array_map( 'trim', explode( ',', (string) $refund->get_meta( WooShop::META_REFUND_ID ) ) ),
				static fn ( $id ) => '' !== $id
			)
		);
		return array(
			'wc_refund_id'      => (int) $refund->get_id(),
			'mirakl_refund_ids' => $ids,
			'amount'            => Money::format( $amount, $decimals ),
			'shipping'          => Money::format( $shipping, $decimals ),
			'tax'               => Money::format( $tax, $decimals ),
			'shipping_tax'      => Money::format( $shipping_tax, $decimals ),
		);
	}

	/**
	 * Splits an amount in proportion to weights, in whole units of the currency's smallest
	 * coin, the remainder going to the largest fractions, so the shares add up exactly.
	 *
	 * @param int   $amount  Millionths.
	 * @param int[] $weights Non-negative weights.
	 * @param int   $unit    Millionths in the smallest coin.
	 * @return int[] Millionths per weight.
	 */
	public static function allocate( int $amount, array $weights, int $unit ): array {
		$count = count( $weights );
		if ( 0 === $count ) {
			return array();
		}
		$total = array_sum( $weights );
		if ( $total <= 0 ) {
			$weights = array_fill( 0, $count, 1 );
			$total   = $count;
		}
		$negative = $amount < 0;
		$coins    = intdiv( abs( $amount ) + intdiv( $unit, 2 ), $unit );
		$shares   = array();
		$rest     = array();
		$given    = 0;
		foreach ( array_values( $weights ) as $index => $weight ) {
			$exact            = $coins * $weight / $total;
			$shares[ $index ] = (int) floor( $exact );
			$rest[ $index ]   = $exact - $shares[ $index ];
			$given           += $shares[ $index ];
		}
		arsort( $rest );
		foreach ( array_keys( $rest ) as $index ) {
			if ( $given >= $coins ) {
				break;
			}
			++$shares[ $index ];
			++$given;
		}
		ksort( $shares );
		return array_map( static fn ( $share ) => ( $negative ? -1 : 1 ) * $share * $unit, $shares );
	}

	/**
	 * Ids of marketplace orders changed since a time (their own changes, or a refund's), oldest
	 * id first; every marketplace order when `$since` is 0.
	 *
	 * @param int $since Unix time; 0 for all.
	 * @return int[]
	 */
	public static function changed_since( int $since ): array {
		$ids      = array();
		$statuses = array_merge( array_keys( wc_get_order_statuses() ), array( 'trash' ) );
		$page     = 1;
		do {
			$query = array(
				'type'        => 'shop_order',
				'status'      => $statuses,
				'created_via' => WooShop::CREATED_VIA,
				'limit'       => self::PAGE,
				'paged'       => $page,
				'orderby'     => 'ID',
				'order'       => 'ASC',
				'return'      => 'ids',
			);
			if ( $since > 0 ) {
				$query['date_modified'] = '>=' . $since;
			}
			$found = (array) wc_get_orders( $query );
			foreach ( $found as $id ) {
				$ids[ (int) $id ] = true;
			}
			++$page;
		} while ( count( $found ) === self::PAGE );

		if ( $since > 0 ) {
			$page = 1;
			do {
				$found = (array) wc_get_orders(
					array(
						'type'          => 'shop_order_refund',
						'date_modified' => '>=' . $since,
						'limit'         => self::PAGE,
						'paged'         => $page,
						'orderby'       => 'ID',
						'order'         => 'ASC',
					)
				);
				foreach ( $found as $refund ) {
					if ( $refund instanceof \WC_Order_Refund && $refund->get_parent_id() ) {
						$ids[ (int) $refund->get_parent_id() ] = true;
					}
				}
				++$page;
			} while ( count( $found ) === self::PAGE );
		}
		$ids = array_keys( $ids );
		sort( $ids );
		return $ids;
	}

	/**
	 * Expected orders of these order ids (other orders left out).
	 *
	 * @param int[] $ids Order ids.
	 * @return array[]
	 */
	public static function for_ids( array $ids ): array {
		$expected = array();
		foreach ( $ids as $id ) {
			$order = wc_get_order( (int) $id );
			if ( $order instanceof \WC_Order && ! $order instanceof \WC_Order_Refund ) {
				$built = self::build( $order );
				if ( null !== $built ) {
					$expected[] = $built;
				}
			}
		}
		return $expected;
	}
}
