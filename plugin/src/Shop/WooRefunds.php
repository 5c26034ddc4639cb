<?php
/**
 * Refunds of the Shop port: a WooCommerce refund read as the marketplace needs it (per-line
 * amounts in the order's tax mode), and a Mirakl refund or cancelation recorded once as a
 * WooCommerce refund with Mirakl's own taxes (cancelled units restocked). WooShop delegates to
 * it (and holds the echo guard around the writes).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce refunds as the engine reads and records them.
 */
final class WooRefunds {

	/**
	 * See the Shop port's method of the same name.
	 *
	 * @param int $refund_id Refund id.
	 * @throws ShopRejected When the refund has an amount but no per-line amounts.
	 */
	public function read_refund( int $refund_id ): ?array {
		$refund = wc_get_order( $refund_id );
		if ( ! $refund instanceof \WC_Order_Refund ) {
			return null;
		}
		$order = wc_get_order( $refund->get_parent_id() );
		if ( ! $order instanceof \WC_Order ) {
			return null;
		}
		$include_tax = WooShop::includes_tax( $order );
		$decimals    = Money::decimals();
		$lines       = array();
		$allocated   = 0;
		foreach ( $refund->get_items( 'line_item' ) as $item ) {
			$original = $order->get_item( (int) $item->get_meta( '_refunded_item_id' ) );
			$amount   = abs( Money::micros( $item->get_total() ) ) + ( $include_tax ? abs( Money::micros( $item->get_total_tax() ) ) : 0 );
			$quantity = abs( (int) $item->get_quantity() );
			if ( 0 === $amount && 0 === $quantity ) {
				continue;
			}
			$allocated += abs( Money::micros( $item->get_total() ) ) + abs( Money::micros( $item->get_total_tax() ) );
			$sku        = $original ? (string) $original->get_meta( WooShop::META_LINE_SKU ) : '';
			if ( '' === $sku && $item instanceof \WC_Order_Item_Product && $item->get_product() ) {
				$sku = (string) $item->get_product()->get_sku();
			}
			$line_id = $original ? (string) $original->get_meta( WooShop::META_LINE_ID ) : '';
			$lines[] = array(
				'sku'                  => $sku,
				'mirakl_order_line_id' => '' === $line_id ? null : $line_id,
				'quantity'             => $quantity,
				'amount'               => Money::format( $amount, $decimals ),
			);
		}
		$shipping = 0;
		foreach ( $refund->get_items( 'shipping' ) as $item ) {
			$shipping  += abs( Money::micros( $item->get_total() ) ) + ( $include_tax ? abs( Money::micros( $item->get_total_tax() ) ) : 0 );
			$allocated += abs( Money::micros( $item->get_total() ) ) + abs( Money::micros( $item->get_total_tax() ) );
		}
		$mirakl_refund_id = (string) $refund->get_meta( WooShop::META_REFUND_ID );
		$total            = abs( Money::micros( $refund->get_amount() ) );
		if ( '' === $mirakl_refund_id && WooShop::is_marketplace_order( $order ) && $total > $allocated + 10000 ) {
			throw new ShopRejected(
				sprintf(
					'refund %d of order %d refunds %s but only %s is on its lines: the marketplace needs the amount per line. Delete the refund and refund again with the amounts on the lines.',
					$refund_id,
					$order->get_id(),
					Money::format( $total, $decimals ),
					Money::format( $allocated, $decimals )
				)
			);
		}
		return array(
			'id'               => (int) $refund->get_id(),
			'order_id'         => (int) $order->get_id(),
			'lines'            => $lines,
			'shipping_amount'  => Money::format( $shipping, $decimals ),
			'mirakl_refund_id' => '' === $mirakl_refund_id ? null : $mirakl_refund_id,
		);
	}

	/**
	 * See the Shop port's method of the same name.
	 *
	 * @param int   $order_id Order id.
	 * @param array $refund   The marketplace refund.
	 * @throws ShopRejected When the order does not exist or WooCommerce refuses the refund.
	 */
	public function record_marketplace_refund( int $order_id, array $refund ): int {
		return $this->record_refund( $order_id, $refund );
	}

	/**
	 * See record_marketplace_refund().
	 *
	 * @param int   $order_id Order id.
	 * @param array $refund   The marketplace refund.
	 * @throws ShopRejected When the refund cannot be recorded.
	 */
	private function record_refund( int $order_id, array $refund ): int {
		$order            = WooShop::order( $order_id );
		$mirakl_refund_id = (string) ( $refund['mirakl_refund_id'] ?? '' );
		foreach ( $order->get_refunds() as $existing ) {
			if ( (string) $existing->get_meta( WooShop::META_REFUND_ID ) === $mirakl_refund_id ) {
				return (int) $existing->get_id();
			}
		}
		$decimals = Money::decimals();
		// Mirakl's own taxes, in the Mirakl order's tax mode, when the engine gives them.
		$given       = array_key_exists( 'tax', $refund );
		$include_tax = $given ? ! empty( $refund['prices_include_tax'] ) : WooShop::includes_tax( $order );
		$line_items  = array();
		$gross       = 0;
		$quantity    = max( 0, (int) ( $refund['quantity'] ?? 0 ) );

		$amount = Money::micros( $refund['amount'] ?? '0' );
		$item   = $this->line_item( $order, (string) ( $refund['mirakl_order_line_id'] ?? '' ), (string) ( $refund['sku'] ?? '' ) );
		if ( 0 !== $amount || $quantity > 0 ) {
			if ( ! $item ) {
				throw new ShopRejected( sprintf( 'order %d has no line for Mirakl order line %s', $order_id, (string) ( $refund['mirakl_order_line_id'] ?? '' ) ) );
			}
			[ $net, $taxes, $line_gross ] = $given
				? $this->booked( $item, $amount, Money::micros( $refund['tax'] ?? '0' ), $include_tax, $decimals )
				: $this->split( $item, $amount, $include_tax, $decimals );
			// Never more units than the line has left (WooCommerce would restock them all).
			$quantity                      = min( $quantity, max( 0, (int) $item->get_quantity() - abs( (int) $order->get_qty_refunded_for_item( $item->get_id() ) ) ) );
			$line_items[ $item->get_id() ] = array(
				'qty'          => $quantity,
				'refund_total' => $net,
				'refund_tax'   => $taxes,
			);
			$gross += $line_gross;
		}
		$shipping_amount = Money::micros( $refund['shipping_amount'] ?? '0' );
		if ( 0 !== $shipping_amount ) {
			$shipping_items = $order->get_items( 'shipping' );
			$shipping_item  = reset( $shipping_items );
			if ( $shipping_item ) {
				[ $net, $taxes, $ship_gross ] = $given
					? $this->booked( $shipping_item, $shipping_amount, Money::micros( $refund['shipping_tax'] ?? '0' ), $include_tax, $decimals )
					: $this->split( $shipping_item, $shipping_amount, $include_tax, $decimals );
				$line_items[ $shipping_item->get_id() ] = array(
					'qty'          => 0,
					'refund_total' => $net,
					'refund_tax'   => $taxes,
				);
				$gross += $ship_gross;
			}
		}
		$cancelation = 'cancelation' === ( $refund['kind'] ?? 'refund' );
		$why         = (string) ( $refund['reason_label'] ?? '' );
		$why         = '' !== $why ? $why : (string) ( $refund['reason_code'] ?? '-' );
		/* translators: 1: number of units, 2: SKU, 3: reason (label or code) */
		$restocked = __( 'Cancelled on the marketplace: %1$d unit(s) of %2$s (%3$s); refunded and restocked.', 'mirakl-connector-for-woocommerce' );
		/* translators: 1: number of units, 2: SKU, 3: reason (label or code) */
		$kept   = __( 'Cancelled on the marketplace: %1$d unit(s) of %2$s (%3$s); refunded.', 'mirakl-connector-for-woocommerce' );
		$reason = $cancelation
			? sprintf( empty( $refund['restock'] ) ? $kept : $restocked, $quantity, (string) ( $refund['sku'] ?? '-' ), $why )
			: sprintf(
				/* translators: 1: Mirakl refund id, 2: reason (label or code) */
				__( 'Refund made on the marketplace (Mirakl refund %1$s, reason %2$s).', 'mirakl-connector-for-woocommerce' ),
				$mirakl_refund_id,
				$why
			);
		$tag = static function ( $wc_refund ) use ( $mirakl_refund_id ) {
			// Before the refund is saved, so the refund hooks already see where it came from.
			$wc_refund->update_meta_data( WooShop::META_REFUND_ID, $mirakl_refund_id );
		};
		add_action( 'woocommerce_create_refund', $tag );
		try {
			$created = wc_create_refund(
				array(
					'amount'         => Money::format( $gross, $decimals ),
					'reason'         => $reason,
					'order_id'       => $order_id,
					'line_items'     => $line_items,
					'refund_payment' => false,
					// Cancelled units never left: they go back in stock with the refund.
					'restock_items'  => ! empty( $refund['restock'] ),
				)
			);
		} finally {
			remove_action( 'woocommerce_create_refund', $tag );
		}
		if ( is_wp_error( $created ) ) {
			throw new ShopRejected( sprintf( 'WooCommerce refused Mirakl refund %s on order %d: %s', $mirakl_refund_id, $order_id, $created->get_error_message() ) );
		}
		if ( (string) $created->get_meta( WooShop::META_REFUND_ID ) !== $mirakl_refund_id ) {
			$created->update_meta_data( WooShop::META_REFUND_ID, $mirakl_refund_id );
			$created->save();
		}
		$order->add_order_note( $reason );
		return (int) $created->get_id();
	}

	/**
	 * Splits an amount (in the order's tax mode) refunded on an item into its net amount and its
	 * taxes, in the proportion the item was taxed.
	 *
	 * @param \WC_Order_Item $item        The line or shipping item.
	 * @param int            $amount      Millionths, in the order's tax mode.
	 * @param bool           $include_tax Whether amounts include tax.
	 * @param int            $decimals    Price decimals.
	 * @return array{0: string, 1: array<int, string>, 2: int} net, taxes by rate, gross (millionths).
	 */
	private function split( \WC_Order_Item $item, int $amount, bool $include_tax, int $decimals ): array {
		$net_total = Money::micros( $item->get_total() );
		$taxes     = $item->get_taxes();
		$by_rate   = array();
		$tax_sum   = 0;
		foreach ( ( $taxes['total'] ?? array() ) as $rate => $tax ) {
			$by_rate[ $rate ] = Money::micros( $tax );
			$tax_sum         += $by_rate[ $rate ];
		}
		$base     = $include_tax ? $net_total + $tax_sum : $net_total;
		$refunded = array();
		$tax_part = 0;
		foreach ( $by_rate as $rate => $tax ) {
			$share             = Money::micros( Money::format( Money::share( $amount, $tax, $base ), $decimals ) );
			$refunded[ $rate ] = Money::format( $share, $decimals );
			$tax_part         += $share;
		}
		$net = $include_tax ? $amount - $tax_part : $amount;
		return array( Money::format( $net, $decimals ), $refunded, $net + $tax_part );
	}

	/**
	 * An amount Mirakl took off an item, booked with Mirakl's own tax: the net amount, the tax
	 * on the item's rate (the marketplace rate when the item has none), and the gross.
	 *
	 * @param \WC_Order_Item $item        The line or shipping item.
	 * @param int            $amount      Millionths, in the Mirakl order's tax mode.
	 * @param int            $tax         Mirakl's tax on it, millionths.
	 * @param bool           $include_tax Whether `$amount` includes `$tax`.
	 * @param int            $decimals    Price decimals.
	 * @return array{0: string, 1: array<int, string>, 2: int} net, taxes by rate, gross (millionths).
	 */
	private function booked( \WC_Order_Item $item, int $amount, int $tax, bool $include_tax, int $decimals ): array {
		$tax   = Money::micros( Money::format( max( 0, $tax ), $decimals ) );
		$net   = $include_tax ? $amount - $tax : $amount;
		$rates = array_keys( (array) ( $item->get_taxes()['total'] ?? array() ) );
		$rate  = $rates ? (int) reset( $rates ) : MarketplaceTax::rate_id( (string) ShopSettings::all()['tax_label'] );
		return array( Money::format( $net, $decimals ), 0 === $tax ? array() : array( $rate => Money::format( $tax, $decimals ) ), $net + $tax );
	}

	/**
	 * The order's line item for a Mirakl order line (or, failing that, a SKU).
	 *
	 * @param \WC_Order $order   The order.
	 * @param string    $line_id Mirakl order line id.
	 * @param string    $sku     SKU.
	 */
	private function line_item( \WC_Order $order, string $line_id, string $sku ): ?\WC_Order_Item_Product {
		$by_sku = null;
		foreach ( $order->get_items( 'line_item' ) as $item ) {
			if ( '' !== $line_id && (string) $item->get_meta( WooShop::META_LINE_ID ) === $line_id ) {
				return $item;
			}
			if ( null === $by_sku && '' !== $sku && (string) $item->get_meta( WooShop::META_LINE_SKU ) === $sku ) {
				$by_sku = $item;
			}
		}
		return $by_sku;
	}
}
