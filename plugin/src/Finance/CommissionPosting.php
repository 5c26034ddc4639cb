<?php
/**
 * Commission on marketplace orders, once the connector created one (action
 * `mirakl_connector_order_created`): keeps each line's shipping as the marketplace split it
 * (line meta, for the finance matching) and, when the finance setting `commission_posting` is
 * `fee_line`, adds one negative fee line (`commission_fee_line_name`) worth the order's
 * commission and its VAT, lowering the order total by that much. With `meta_only` (the default)
 * the order's items and totals stay exactly as Mirakl sent them.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Runner\Log;
use MiraklConnector\Shop\Money;
use MiraklConnector\Shop\WooShop;

defined( 'ABSPATH' ) || exit;

/**
 * Posts the commission on new marketplace orders.
 */
class CommissionPosting {

	/** Fee item meta marking the commission fee line (so it is added once). */
	public const META_FEE_LINE = '_mirakl_commission_fee_line';

	/**
	 * The finance settings.
	 *
	 * @var FinanceSettings
	 */
	private FinanceSettings $settings;

	/**
	 * Constructor.
	 *
	 * @param FinanceSettings $settings The finance settings.
	 */
	public function __construct( FinanceSettings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Hooks the order creation.
	 */
	public function register(): void {
		add_action( 'mirakl_connector_order_created', array( $this, 'on_order_created' ), 10, 2 );
	}

	/**
	 * After the connector created a marketplace order.
	 *
	 * @param \WC_Order $order The order.
	 * @param array     $draft The marketplace order it was made from.
	 */
	public function on_order_created( $order, $draft ): void {
		if ( ! $order instanceof \WC_Order || ! is_array( $draft ) ) {
			return;
		}
		try {
			$changed = $this->keep_line_shipping( $order, $draft );
			if ( 'fee_line' === $this->settings->get( 'commission_posting' ) ) {
				$changed = $this->add_fee_line( $order, $draft ) || $changed;
			}
			if ( $changed ) {
				$order->save();
			}
		} catch ( \Throwable $e ) {
			// The order exists and is right as Mirakl sent it: never undo it for this.
			Log::exception( sprintf( 'Posting the commission of order %d', $order->get_id() ), $e );
		}
	}

	/**
	 * Line meta: each line's shipping and shipping tax as the marketplace split them.
	 *
	 * @param \WC_Order $order The order.
	 * @param array     $draft The draft.
	 */
	private function keep_line_shipping( \WC_Order $order, array $draft ): bool {
		$include_tax = ! empty( $draft['prices_include_tax'] );
		$decimals    = Money::decimals();
		$by_line     = array();
		foreach ( (array) ( $draft['lines'] ?? array() ) as $line ) {
			$ship     = Money::micros( $line['shipping_price'] ?? '0' );
			$ship_tax = Money::micros( $line['shipping_tax'] ?? '0' );
			$by_line[ (string) ( $line['mirakl_order_line_id'] ?? '' ) ] = array( $include_tax ? $ship - $ship_tax : $ship, $ship_tax );
		}
		$changed = false;
		foreach ( $order->get_items( 'line_item' ) as $item ) {
			$line_id = (string) $item->get_meta( WooShop::META_LINE_ID );
			if ( ! isset( $by_line[ $line_id ] ) ) {
				continue;
			}
			$item->update_meta_data( ExpectedOrders::META_LINE_SHIPPING, Money::format( $by_line[ $line_id ][0], $decimals ) );
			$item->update_meta_data( ExpectedOrders::META_LINE_SHIPPING_TAX, Money::format( $by_line[ $line_id ][1], $decimals ) );
			$item->save();
			$changed = true;
		}
		return $changed;
	}

	/**
	 * The negative fee line, once per order.
	 *
	 * @param \WC_Order $order The order.
	 * @param array     $draft The draft.
	 * @return bool Whether it was added.
	 */
	private function add_fee_line( \WC_Order $order, array $draft ): bool {
		foreach ( $order->get_items( 'fee' ) as $fee ) {
			if ( '' !== (string) $fee->get_meta( self::META_FEE_LINE ) ) {
				return false;
			}
		}
		$fee_total = 0;
		$vat_total = 0;
		$total     = 0;
		foreach ( (array) ( $draft['lines'] ?? array() ) as $line ) {
			$fee        = Money::micros( $line['commission_fee'] ?? '0' );
			$vat        = Money::micros( $line['commission_vat'] ?? '0' );
			$line_total = Money::micros( $line['commission_total'] ?? '0' );
			$fee_total += $fee;
			$vat_total += $vat;
			$total     += 0 !== $line_total ? $line_total : $fee + $vat;
		}
		if ( 0 === $total ) {
			return false;
		}
		$decimals = Money::decimals();
		$item     = new \WC_Order_Item_Fee();
		$item->set_name( (string) $this->settings->get( 'commission_fee_line_name' ) );
		$item->set_tax_status( 'none' );
		$item->set_tax_class( '' );
		$item->set_amount( Money::format( -$total, $decimals ) );
		$item->set_total( Money::format( -$total, $decimals ) );
		$item->set_total_tax( 0 );
		$item->set_taxes( array() );
		$item->add_meta_data( self::META_FEE_LINE, 'yes', true );
		$item->add_meta_data( WooShop::META_COMMISSION_FEE, Money::format( $fee_total, $decimals ), true );
		$item->add_meta_data( WooShop::META_COMMISSION_VAT, Money::format( $vat_total, $decimals ), true );
		$order->add_item( $item );
		// The order's other totals stay as Mirakl sent them: only the fee is taken off the total.
		$order->set_total( Money::format( Money::micros( $order->get_total() ) - $total, $decimals ) );
		return true;
	}
}
