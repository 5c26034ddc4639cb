<?php
/**
 * The order writes of the Shop port (WooShop dispatches to them): a marketplace order created
 * from the core's draft, its addresses, status, notes and cancellation. Every figure written is
 * the draft's (amounts, the commission fee line, the order total): nothing is computed here.
 *
 * Invariants: an order is created in one database transaction, all of it or none; its prices
 * and taxes are the marketplace's, never recomputed by WooCommerce; its stock is reduced when it
 * is created and given back once when it is cancelled.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * Marketplace orders written to WooCommerce.
 */
final class WooOrders {

	/**
	 * Creates the order from the draft, in one transaction.
	 *
	 * @param array $draft The order as the marketplace sold it.
	 * @throws ShopRejected When a line's SKU is unknown, a product cannot be sold or stock is short.
	 */
	public function create_order( array $draft ): int {
		return $this->in_transaction( fn () => $this->create( $draft ) );
	}

	/**
	 * Runs a write of several rows (an order, its items, notes, stock) in one database
	 * transaction: all of it or none of it exists afterwards, so a failure half-way never leaves
	 * an order the engine would not know about, and the database syncs once instead of once a row.
	 *
	 * @param callable $write The write.
	 * @return mixed What it returned.
	 * @throws \Throwable What it threw, after the rollback.
	 */
	private function in_transaction( callable $write ) {
		global $wpdb;
		$wpdb->query( 'START TRANSACTION' );
		try {
			$result = $write();
		} catch ( \Throwable $e ) {
			$wpdb->query( 'ROLLBACK' );
			// Objects cached during the write describe rows that no longer exist.
			wp_cache_flush();
			throw $e;
		}
		$wpdb->query( 'COMMIT' );
		return $result;
	}

	/**
	 * Why a product matched by SKU must not be sold through a marketplace order, or null: only
	 * published, purchasable products (and variations of published parents) are.
	 *
	 * @param \WC_Product $product The product.
	 */
	private static function unsellable( \WC_Product $product ): ?string {
		// Explicit status checks: is_purchasable() lets a user who may edit the post through.
		if ( 'publish' !== $product->get_status() ) {
			return sprintf( 'is a %s product, not a published one', $product->get_status() );
		}
		if ( $product->is_type( 'variation' ) && 'publish' !== get_post_status( $product->get_parent_id() ) ) {
			return 'is a variation of a product that is not published';
		}
		if ( ! $product->is_purchasable() ) {
			return 'is not purchasable in WooCommerce (no price, or a plugin forbids it)';
		}
		return null;
	}

	/**
	 * Builds and saves the order (see Shop::create_order()).
	 *
	 * @param array $draft The order draft.
	 * @throws ShopRejected When the order cannot be made.
	 */
	private function create( array $draft ): int {
		$mirakl_id = (string) ( $draft['mirakl_order_id'] ?? '' );
		$lines     = is_array( $draft['lines'] ?? null ) ? $draft['lines'] : array();
		if ( '' === $mirakl_id ) {
			throw new ShopRejected( 'a marketplace order without a Mirakl order id' );
		}
		if ( empty( $lines ) ) {
			throw new ShopRejected( sprintf( 'Mirakl order %s has no line to create', $mirakl_id ) );
		}
		$products = array();
		$wanted   = array();
		foreach ( $lines as $index => $line ) {
			$sku        = (string) ( $line['sku'] ?? '' );
			$product_id = '' === $sku ? 0 : (int) wc_get_product_id_by_sku( $sku );
			$product    = $product_id ? wc_get_product( $product_id ) : null;
			if ( ! $product ) {
				throw new ShopRejected( sprintf( 'unknown SKU %s (Mirakl order %s)', $sku, $mirakl_id ) );
			}
			if ( $product->is_type( array( 'variable', 'grouped', 'external' ) ) ) {
				throw new ShopRejected( sprintf( 'SKU %s is a %s product, which cannot be sold itself: give the SKU to a variation or a simple product', $sku, $product->get_type() ) );
			}
			$unsellable = self::unsellable( $product );
			if ( null !== $unsellable ) {
				throw new ShopRejected( sprintf( 'SKU %s (Mirakl order %s) %s', $sku, $mirakl_id, $unsellable ) );
			}
			$products[ $index ]                  = $product;
			$stock_id                            = (int) $product->get_stock_managed_by_id();
			$wanted[ $stock_id ]                 = ( $wanted[ $stock_id ] ?? 0 ) + (int) $line['quantity'];
			if ( ( $draft['reduce_stock'] ?? true ) && $product->managing_stock() && ! $product->backorders_allowed() && (int) $product->get_stock_quantity() < $wanted[ $stock_id ] ) {
				throw new ShopRejected( sprintf( 'not enough stock for %s: %d left, %d ordered', $sku, (int) $product->get_stock_quantity(), $wanted[ $stock_id ] ) );
			}
		}

		$include_tax = ! empty( $draft['prices_include_tax'] );
		$decimals    = Money::decimals();
		$settings    = ShopSettings::all();
		$rate_id     = MarketplaceTax::rate_id( (string) $settings['tax_label'] );

		$order = new \WC_Order();
		$order->set_created_via( WooShop::CREATED_VIA );
		$order->set_currency( '' !== (string) ( $draft['currency'] ?? '' ) ? (string) $draft['currency'] : get_woocommerce_currency() );
		$order->set_prices_include_tax( $include_tax );
		$order->set_customer_id( 0 );
		$order->set_payment_method( WooShop::PAYMENT_METHOD );
		/* translators: %s: marketplace name */
		$order->set_payment_method_title( sprintf( __( 'Mirakl (%s)', 'mirakl-connector-for-woocommerce' ), (string) $settings['marketplace_name'] ) );
		$order->update_meta_data( WooShop::META_ORDER_ID, $mirakl_id );
		if ( '' !== (string) ( $draft['commercial_id'] ?? '' ) ) {
			$order->update_meta_data( WooShop::META_COMMERCIAL_ID, (string) $draft['commercial_id'] );
		}
		$order->update_meta_data( WooShop::META_COMMISSION_TOTAL, Money::format( Money::micros( $draft['commission_total'] ?? '0' ), $decimals ) );
		$order->update_meta_data( WooShop::META_ORDER_TAX_MODE, $include_tax ? 'TAX_INCLUDED' : 'TAX_EXCLUDED' );
		$center = sanitize_text_field( (string) ( $draft['fulfillment_center_code'] ?? '' ) );
		if ( '' !== $center ) {
			$order->update_meta_data( WooShop::META_FULFILLMENT_CENTER, $center );
		}
		$this->set_addresses( $order, $draft );

		// The figures are the core's (the draft's `amounts`, in the order's tax mode), written
		// as given; a draft built by hand without them is priced from its lines, the same way.
		$amounts = is_array( $draft['amounts'] ?? null ) ? $draft['amounts'] : self::amounts( $lines, $include_tax );
		$figures = is_array( $amounts['lines'] ?? null ) ? array_values( $amounts['lines'] ) : array();
		if ( count( $figures ) !== count( $lines ) ) {
			throw new ShopRejected( sprintf( 'Mirakl order %s came without the amounts of each line', $mirakl_id ) );
		}
		$shipping_net = Money::micros( $amounts['shipping_net'] ?? '0' );
		$shipping_tax = Money::micros( $amounts['shipping_tax'] ?? '0' );
		$tax_total    = Money::micros( $amounts['tax_total'] ?? '0' );
		$positions    = array_keys( $lines );
		foreach ( array_values( $lines ) as $position => $line ) {
			$product = $products[ $positions[ $position ] ];
			$net     = Money::micros( $figures[ $position ]['net'] ?? '0' );
			$tax     = Money::micros( $figures[ $position ]['tax'] ?? '0' );
			// A promotion: the line's price before it is its subtotal, WooCommerce's discount.
			$discount = max( 0, Money::micros( $figures[ $position ]['discount'] ?? '0' ) );

			$item       = new \WC_Order_Item_Product();
			$net_text   = Money::format( $net, 6 );
			$tax_text   = Money::format( $tax, 6 );
			$item->set_props(
				array(
					'quantity'  => (int) $line['quantity'],
					'variation' => $product->is_type( 'variation' ) ? $product->get_variation_attributes() : array(),
					'subtotal'  => Money::format( $net + $discount, 6 ),
					'total'     => $net_text,
					'taxes'     => array(
						'subtotal' => array( $rate_id => $tax_text ),
						'total'    => array( $rate_id => $tax_text ),
					),
				)
			);
			$item->set_product( $product );
			$item->add_meta_data( WooShop::META_LINE_ID, (string) $line['mirakl_order_line_id'], true );
			$item->add_meta_data( WooShop::META_LINE_SKU, (string) $line['sku'], true );
			$item->add_meta_data( WooShop::META_COMMISSION_FEE, Money::format( Money::micros( $line['commission_fee'] ?? '0' ), $decimals ), true );
			$item->add_meta_data( WooShop::META_COMMISSION_VAT, Money::format( Money::micros( $line['commission_vat'] ?? '0' ), $decimals ), true );
			$item->add_meta_data( WooShop::META_LINE_COMMISSION, Money::format( Money::micros( $line['commission_total'] ?? '0' ), $decimals ), true );
			// Each line's shipping as the marketplace split it (WooCommerce holds one shipping line).
			$item->add_meta_data( WooShop::META_LINE_SHIPPING, Money::format( Money::micros( $figures[ $position ]['shipping_net'] ?? '0' ), $decimals ), true );
			$item->add_meta_data( WooShop::META_LINE_SHIPPING_TAX, Money::format( Money::micros( $figures[ $position ]['shipping_tax'] ?? '0' ), $decimals ), true );
			foreach ( self::fields( $line['additional_fields'] ?? array() ) as $code => $value ) {
				$item->add_meta_data( WooShop::LINE_FIELD_PREFIX . $code, $value, true );
			}
			foreach ( self::mapped( $line['additional_fields'] ?? array() ) as $key => $value ) {
				$item->add_meta_data( $key, $value, true );
			}
			$order->add_item( $item );
		}

		// Titled from Mirakl's shipping type, under the shop's own method where one is mapped.
		$method   = is_array( $draft['shipping'] ?? null ) ? $draft['shipping'] : array();
		$title    = sanitize_text_field( (string) ( $method['title'] ?? '' ) );
		$shipping = new \WC_Order_Item_Shipping();
		$shipping->set_method_title( '' !== $title ? $title : (string) $settings['shipping_method_title'] );
		// A mapped method id, optionally with its instance ("flat_rate:3").
		$mapped = explode( ':', (string) ( $method['method_id'] ?? '' ), 2 );
		$shipping->set_method_id( '' !== sanitize_key( $mapped[0] ) ? sanitize_key( $mapped[0] ) : WooShop::CREATED_VIA );
		if ( isset( $mapped[1] ) && ctype_digit( $mapped[1] ) ) {
			$shipping->set_instance_id( (int) $mapped[1] );
		}
		foreach ( array(
			WooShop::META_SHIPPING_TYPE => 'type_code',
			WooShop::META_SHIPPING_ZONE => 'zone_code',
		) as $meta => $key ) {
			$code = sanitize_text_field( (string) ( $method[ $key ] ?? '' ) );
			if ( '' !== $code ) {
				$order->update_meta_data( $meta, $code );
			}
		}
		if ( '' !== (string) ( $method['zone_label'] ?? '' ) ) {
			$shipping->add_meta_data( __( 'Shipping zone', 'mirakl-connector-for-woocommerce' ), sanitize_text_field( (string) $method['zone_label'] ), true );
		}
		$fields = self::fields( $draft['additional_fields'] ?? array() );
		if ( ! empty( $fields ) ) {
			$order->update_meta_data( WooShop::META_FIELDS, $fields );
		}
		foreach ( self::mapped( $draft['additional_fields'] ?? array() ) as $key => $value ) {
			$order->update_meta_data( $key, $value );
		}
		$shipping->set_total( Money::format( $shipping_net, 6 ) );
		$shipping->set_taxes( array( 'total' => array( $rate_id => Money::format( $shipping_tax, 6 ) ) ) );
		$order->add_item( $shipping );

		$tax_item = new \WC_Order_Item_Tax();
		$tax_item->set_rate( $rate_id );
		$tax_item->set_label( (string) $settings['tax_label'] );
		$tax_item->set_name( \WC_Tax::get_rate_code( $rate_id ) );
		$tax_item->set_tax_total( Money::format( $tax_total, $decimals ) );
		$tax_item->set_shipping_tax_total( Money::format( $shipping_tax, $decimals ) );
		$order->add_item( $tax_item );

		// The commission fee line the core sends (finance setting `commission_posting: fee_line`):
		// negative, not taxed (its amount holds the commission's VAT).
		$fee_line   = is_array( $draft['fee_line'] ?? null ) ? $draft['fee_line'] : array();
		$fee_amount = Money::micros( $fee_line['amount'] ?? '0' );
		if ( 0 !== $fee_amount ) {
			$fee = new \WC_Order_Item_Fee();
			$fee->set_name( sanitize_text_field( (string) ( $fee_line['name'] ?? '' ) ) );
			$fee->set_tax_status( 'none' );
			$fee->set_tax_class( '' );
			$fee->set_amount( Money::format( $fee_amount, $decimals ) );
			$fee->set_total( Money::format( $fee_amount, $decimals ) );
			$fee->set_total_tax( 0 );
			$fee->set_taxes( array() );
			$fee->add_meta_data( WooShop::META_FEE_LINE, 'yes', true );
			$fee->add_meta_data( WooShop::META_COMMISSION_FEE, Money::format( Money::micros( $fee_line['commission_fee'] ?? '0' ), $decimals ), true );
			$fee->add_meta_data( WooShop::META_COMMISSION_VAT, Money::format( Money::micros( $fee_line['commission_vat'] ?? '0' ), $decimals ), true );
			$order->add_item( $fee );
		}
		// The shop order's total as the core computed it (net of the fee line); a draft read back
		// from a payload written without it has the buyer's total plus the fee line.
		$order_total = Money::micros( $amounts['order_total'] ?? '0' );
		if ( 0 === $order_total ) {
			$order_total = Money::micros( $amounts['grand_total'] ?? '0' ) + $fee_amount;
		}

		$order->set_shipping_total( Money::format( $shipping_net, $decimals ) );
		$order->set_shipping_tax( Money::format( $shipping_tax, $decimals ) );
		$order->set_cart_tax( Money::format( $tax_total, $decimals ) );
		$order->set_discount_total( Money::format( max( 0, Money::micros( $amounts['discount_total'] ?? '0' ) ), $decimals ) );
		$order->set_discount_tax( 0 );
		$order->set_total( Money::format( $order_total, $decimals ) );
		if ( ! ( $draft['reduce_stock'] ?? true ) ) {
			// Marked reduced before the status is set, so WooCommerce's own status hooks never
			// reduce the stock of an order the operator ships from its own.
			if ( ! $order->get_id() ) {
				$order->save();
			}
			$order->get_data_store()->set_stock_reduced( $order, true );
		}
		$order->set_status( ShopSettings::strip_prefix( (string) ( $draft['status'] ?? 'on-hold' ) ) );
		$order->save();

		$order->add_order_note(
			sprintf(
				/* translators: 1: Mirakl order id, 2: commercial id, 3: marketplace name */
				__( 'Marketplace order %1$s (commercial id %2$s) imported from %3$s.', 'mirakl-connector-for-woocommerce' ),
				$mirakl_id,
				(string) ( $draft['commercial_id'] ?? '-' ),
				(string) $settings['marketplace_name']
			)
		);
		foreach ( (array) ( $draft['notes'] ?? array() ) as $note ) {
			$note = sanitize_textarea_field( (string) $note );
			if ( '' !== $note ) {
				$order->add_order_note( $note );
			}
		}
		// An order the operator ships from its own stock leaves WooCommerce's stock alone.
		if ( $draft['reduce_stock'] ?? true ) {
			wc_reduce_stock_levels( $order->get_id() );
		}
		$order->get_data_store()->set_stock_reduced( $order->get_id(), true );
		/**
		 * Fires once the connector created a marketplace order (its stock reduced), while the
		 * engine's own writes are not echoed back.
		 *
		 * @param \WC_Order $order The order.
		 * @param array     $draft The marketplace order it was made from (see Shop::create_order()).
		 */
		do_action( 'mirakl_connector_order_created', $order, $draft );
		return (int) $order->get_id();
	}

	/**
	 * Mirakl custom fields as code => value, bounded and cleaned again (the core already did).
	 *
	 * @param mixed $fields The draft's `additional_fields` (each code, value).
	 * @return array<string, string>
	 */
	private static function fields( $fields ): array {
		$kept = array();
		foreach ( is_array( $fields ) ? array_slice( $fields, 0, 50 ) : array() as $field ) {
			$code = is_array( $field ) ? (string) preg_replace( '/[^A-Za-z0-9_.-]/', '', (string) ( $field['code'] ?? '' ) ) : '';
			if ( '' === $code ) {
				continue;
			}
			$kept[ substr( $code, 0, 64 ) ] = mb_substr( sanitize_textarea_field( (string) ( $field['value'] ?? '' ) ), 0, 2000 );
		}
		return $kept;
	}

	/**
	 * The custom fields the settings map to meta keys of their own, as meta key => value (the
	 * core chose and checked the keys; a key of another shape is dropped here all the same).
	 *
	 * @param mixed $fields The draft's `additional_fields` (each code, value, meta_key).
	 * @return array<string, string>
	 */
	private static function mapped( $fields ): array {
		$kept = array();
		foreach ( is_array( $fields ) ? array_slice( $fields, 0, 50 ) : array() as $field ) {
			$key = is_array( $field ) ? (string) ( $field['meta_key'] ?? '' ) : '';
			if ( preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $key ) && ! str_starts_with( strtolower( $key ), '_mirakl' ) ) {
				$kept[ $key ] = mb_substr( sanitize_textarea_field( (string) ( $field['value'] ?? '' ) ), 0, 2000 );
			}
		}
		return $kept;
	}

	/**
	 * The figures the core sends as a draft's `amounts`, for a draft built without them (the
	 * engine always sends them; see OrderAmounts in src/sync/shop.rs, which this mirrors).
	 *
	 * @param array $lines       The draft's lines.
	 * @param bool  $include_tax Whether the prices include tax.
	 * @return array The amounts, as decimal strings of six places.
	 */
	private static function amounts( array $lines, bool $include_tax ): array {
		$figures = array();
		$sums    = array( 0, 0, 0, 0 );
		foreach ( $lines as $line ) {
			$price     = Money::micros( $line['price'] ?? '0' );
			$tax       = Money::micros( $line['tax'] ?? '0' );
			$ship      = Money::micros( $line['shipping_price'] ?? '0' );
			$ship_tax  = Money::micros( $line['shipping_tax'] ?? '0' );
			$net       = $include_tax ? $price - $tax : $price;
			$ship_net  = $include_tax ? $ship - $ship_tax : $ship;
			$figures[] = array(
				'net'          => Money::format( $net, 6 ),
				'tax'          => Money::format( $tax, 6 ),
				'shipping_net' => Money::format( $ship_net, 6 ),
				'shipping_tax' => Money::format( $ship_tax, 6 ),
			);
			$sums[0]  += $net;
			$sums[1]  += $tax;
			$sums[2]  += $ship_net;
			$sums[3]  += $ship_tax;
		}
		return array(
			'lines'        => $figures,
			'net_total'    => Money::format( $sums[0], 6 ),
			'tax_total'    => Money::format( $sums[1], 6 ),
			'shipping_net' => Money::format( $sums[2], 6 ),
			'shipping_tax' => Money::format( $sums[3], 6 ),
			'grand_total'  => Money::format( array_sum( $sums ), 6 ),
		);
	}

	/**
	 * Billing and shipping addresses (either may be missing before the order is paid).
	 *
	 * @param \WC_Order $order The order.
	 * @param array     $draft The draft.
	 */
	private function set_addresses( \WC_Order $order, array $draft ): void {
		$billing  = is_array( $draft['billing_address'] ?? null ) ? $draft['billing_address'] : null;
		$shipping = is_array( $draft['shipping_address'] ?? null ) ? $draft['shipping_address'] : null;
		$names    = array(
			'first_name' => (string) ( $draft['customer_first_name'] ?? '' ),
			'last_name'  => (string) ( $draft['customer_last_name'] ?? '' ),
		);
		$billing  = $billing ?? $shipping;
		if ( null === $billing ) {
			$this->set_fields( $order, 'billing', $names );
		} else {
			$this->set_address( $order, 'billing', $billing, $names );
		}
		if ( null !== $shipping ) {
			$this->set_address( $order, 'shipping', $shipping, $names );
		}
	}

	/**
	 * One address in WooCommerce's fields; a billing address without names takes the buyer's.
	 *
	 * @param \WC_Order $order   The order.
	 * @param string    $type    billing or shipping.
	 * @param array     $address The Mirakl address (the Shop port's shape).
	 * @param array     $names   The buyer's first_name and last_name.
	 */
	private function set_address( \WC_Order $order, string $type, array $address, array $names ): void {
		$fields = array(
			'first_name' => (string) ( $address['first_name'] ?? '' ),
			'last_name'  => (string) ( $address['last_name'] ?? '' ),
			'company'    => (string) ( $address['company'] ?? '' ),
			'address_1'  => (string) ( $address['street_1'] ?? '' ),
			'address_2'  => (string) ( $address['street_2'] ?? '' ),
			'postcode'   => (string) ( $address['zip_code'] ?? '' ),
			'city'       => (string) ( $address['city'] ?? '' ),
			'state'      => (string) ( $address['state'] ?? '' ),
			// The core's alpha-2 code (or nothing when it did not recognise the label).
			'country'    => (string) ( $address['country_iso_code'] ?? '' ),
			'phone'      => (string) ( $address['phone'] ?? '' ),
		);
		if ( '' === $fields['country'] ) {
			// The core did not recognise the label: keep the country the order has (one a
			// person entered by hand after the problem said so) instead of erasing it.
			unset( $fields['country'] );
		} elseif ( '' !== $fields['state'] && function_exists( 'WC' ) && WC()->countries ) {
			$states           = WC()->countries->get_states( $fields['country'] );
			$fields['state'] = States::to_woocommerce( $fields['state'], is_array( $states ) ? $states : array() );
		}
		if ( 'billing' === $type ) {
			$fields['first_name'] = '' !== $fields['first_name'] ? $fields['first_name'] : (string) ( $names['first_name'] ?? '' );
			$fields['last_name']  = '' !== $fields['last_name'] ? $fields['last_name'] : (string) ( $names['last_name'] ?? '' );
		}
		$this->set_fields( $order, $type, $fields );
	}

	/**
	 * Sets address fields through the order's CRUD setters.
	 *
	 * @param \WC_Order $order  The order.
	 * @param string    $type   billing or shipping.
	 * @param array     $fields Field name => value.
	 */
	private function set_fields( \WC_Order $order, string $type, array $fields ): void {
		foreach ( $fields as $field => $value ) {
			$setter = "set_{$type}_{$field}";
			if ( is_callable( array( $order, $setter ) ) ) {
				$order->$setter( $value );
			}
		}
	}

	/**
	 * Writes the addresses the marketplace revealed (see Shop::update_order_addresses()).
	 *
	 * @param int        $order_id Order id.
	 * @param array|null $billing  Billing address, or null to leave it.
	 * @param array|null $shipping Shipping address, or null to leave it.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function update_addresses( int $order_id, ?array $billing, ?array $shipping ): void {
		$order  = WooShop::order( $order_id );
		$before = array( $order->get_address( 'billing' ), $order->get_address( 'shipping' ) );
		$names  = array(
			'first_name' => $order->get_billing_first_name(),
			'last_name'  => $order->get_billing_last_name(),
		);
		if ( null !== $billing ) {
			$this->set_address( $order, 'billing', $billing, $names );
		}
		if ( null !== $shipping ) {
			$this->set_address( $order, 'shipping', $shipping, $names );
		}
		if ( array( $order->get_address( 'billing' ), $order->get_address( 'shipping' ) ) === $before ) {
			return;
		}
		$order->save();
		$order->add_order_note( __( 'The marketplace revealed the buyer\'s addresses: billing and shipping addresses updated.', 'mirakl-connector-for-woocommerce' ) );
	}

	/**
	 * Sets the order's status (see Shop::set_order_status()).
	 *
	 * @param int    $order_id Order id.
	 * @param string $status   Status slug.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function set_status( int $order_id, string $status ): void {
		$order  = WooShop::order( $order_id );
		$status = ShopSettings::strip_prefix( $status );
		if ( $order->has_status( $status ) ) {
			return;
		}
		/* translators: %s: new order status */
		$order->update_status( $status, sprintf( __( 'The marketplace order changed state: status set to %s.', 'mirakl-connector-for-woocommerce' ), wc_get_order_status_name( $status ) ) );
	}

	/**
	 * Adds a note to the order (see Shop::add_order_note()).
	 *
	 * @param int    $order_id Order id.
	 * @param string $note     Note text.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function add_note( int $order_id, string $note ): void {
		WooShop::order( $order_id )->add_order_note( $note );
	}

	/**
	 * Cancels the order and gives its stock back once (see Shop::cancel_order()).
	 *
	 * @param int    $order_id Order id.
	 * @param string $reason   Why.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function cancel( int $order_id, string $reason ): void {
		$order = WooShop::order( $order_id );
		if ( ! $order->has_status( 'cancelled' ) ) {
			// WooCommerce gives the stock back on the way to "cancelled" when it was reduced.
			$order->update_status( 'cancelled', $reason );
		}
		$store = $order->get_data_store();
		if ( $store->get_stock_reduced( $order_id ) ) {
			wc_increase_stock_levels( $order );
			$store->set_stock_reduced( $order_id, false );
		}
	}
}
