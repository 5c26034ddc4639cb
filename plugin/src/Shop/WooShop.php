<?php
/**
 * The Shop port implemented with WooCommerce's CRUD API, so orders work the same in HPOS and in
 * the posts storage (order meta only through WC_Order, never post meta). The engine calls these
 * methods back during `tick()`.
 *
 * Invariants: a marketplace order carries `_mirakl_order_id` and is created once (the engine
 * asks find_order_by_mirakl_id() first); its prices and taxes are the marketplace's, never
 * recomputed by WooCommerce; its stock is reduced when it is created and given back once when it
 * is cancelled; a refund recorded from Mirakl carries `_mirakl_refund_id` and is recorded once.
 * While the engine writes through this class, is_applying() is true so that the hooks do not
 * echo the engine's own changes back to it.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce as the engine's shop.
 */
class WooShop implements Shop {

	public const CREATED_VIA           = 'mirakl';
	public const PAYMENT_METHOD        = 'mirakl';
	public const META_ORDER_ID         = '_mirakl_order_id';
	public const META_COMMERCIAL_ID    = '_mirakl_commercial_id';
	public const META_COMMISSION_TOTAL = '_mirakl_commission_total';
	public const META_ORDER_TAX_MODE   = '_mirakl_order_tax_mode';
	public const META_LINE_ID          = '_mirakl_order_line_id';
	public const META_LINE_SKU         = '_mirakl_sku';
	public const META_COMMISSION_FEE   = '_mirakl_commission_fee';
	public const META_COMMISSION_VAT   = '_mirakl_commission_vat';
	public const META_LINE_COMMISSION  = '_mirakl_commission_total';
	public const META_REFUND_ID        = '_mirakl_refund_id';
	public const META_SHIPPING_TYPE    = '_mirakl_shipping_type_code';
	public const META_SHIPPING_ZONE    = '_mirakl_shipping_zone_code';
	public const META_FIELDS           = '_mirakl_additional_fields';
	/** Prefix of a line's Mirakl custom fields, one item meta each (shown with the item). */
	public const LINE_FIELD_PREFIX = 'mirakl_';

	/**
	 * How deep the engine's own writes are nested right now.
	 *
	 * @var int
	 */
	private static int $applying = 0;

	/**
	 * Whether the engine is writing to WooCommerce through this class right now.
	 */
	public static function is_applying(): bool {
		return self::$applying > 0;
	}

	/**
	 * Whether an order is a marketplace order.
	 *
	 * @param \WC_Abstract_Order|null $order The order.
	 */
	public static function is_marketplace_order( $order ): bool {
		return $order instanceof \WC_Order && '' !== (string) $order->get_meta( self::META_ORDER_ID );
	}

	/**
	 * Runs a write of the engine's with the echo guard up.
	 *
	 * @param callable $write The write.
	 * @return mixed What it returned.
	 */
	private function applying( callable $write ) {
		++self::$applying;
		try {
			return $write();
		} finally {
			--self::$applying;
		}
	}

	// ------------------------------------------------------------------------------ catalogue --

	/**
	 * The catalogue reads (WooCatalogue).
	 *
	 * @var WooCatalogue|null
	 */
	private ?WooCatalogue $catalogue = null;

	/**
	 * The catalogue reads, made on first use.
	 */
	private function catalogue(): WooCatalogue {
		return $this->catalogue ??= new WooCatalogue();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $skus SKUs.
	 */
	public function read_stock( array $skus ): array {
		return $this->catalogue()->read_stock( $skus );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $skus SKUs.
	 */
	public function read_offers( array $skus ): array {
		return $this->catalogue()->read_offers( $skus );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string|null $after Cursor: the last product id of the previous page.
	 * @param int         $limit Page size.
	 */
	public function read_catalogue( ?string $after, int $limit ): array {
		return $this->catalogue()->read_catalogue( $after, $limit );
	}

	// --------------------------------------------------------------------------------- orders --

	/**
	 * {@inheritDoc}
	 *
	 * @param string $mirakl_order_id Mirakl order id.
	 */
	public function find_order_by_mirakl_id( string $mirakl_order_id ): ?array {
		$statuses = array_merge( array_keys( wc_get_order_statuses() ), array( 'trash' ) );
		// `meta_key`/`meta_value` are understood by both order storages (the posts storage
		// ignores `meta_query` in wc_get_orders()).
		$ids = wc_get_orders(
			array(
				'type'       => 'shop_order',
				'status'     => $statuses,
				'limit'      => 5,
				'orderby'    => 'ID',
				'order'      => 'ASC',
				'return'     => 'ids',
				'meta_key'   => self::META_ORDER_ID, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
				'meta_value' => $mirakl_order_id, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value
			)
		);
		foreach ( (array) $ids as $id ) {
			$order = wc_get_order( (int) $id );
			if ( $order instanceof \WC_Order && (string) $order->get_meta( self::META_ORDER_ID ) === $mirakl_order_id ) {
				return array(
					'id'     => (int) $order->get_id(),
					'status' => (string) $order->get_status(),
				);
			}
		}
		if ( ! empty( $ids ) ) {
			// Orders came back but none is this one: the lookup is not filtering. Answering "none"
			// would make the engine create the order twice, so fail (the engine retries later).
			throw new \RuntimeException( sprintf( 'the order lookup by %s returned other orders than Mirakl order %s', self::META_ORDER_ID, $mirakl_order_id ) );
		}
		return null;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $order_id Shop order id.
	 */
	public function mirakl_order_id_of( int $order_id ): ?string {
		$order = wc_get_order( $order_id );
		if ( ! $order instanceof \WC_Order ) {
			return null;
		}
		$mirakl_id = (string) $order->get_meta( self::META_ORDER_ID );
		return '' === $mirakl_id ? null : $mirakl_id;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array $draft The order as the marketplace sold it.
	 * @throws ShopRejected When a line's SKU is unknown, a product cannot be sold or stock is short.
	 */
	public function create_order( array $draft ): int {
		return $this->applying( fn () => $this->in_transaction( fn () => $this->create( $draft ) ) );
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
	 * Builds and saves the order (see create_order()).
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
			$products[ $index ]                  = $product;
			$stock_id                            = (int) $product->get_stock_managed_by_id();
			$wanted[ $stock_id ]                 = ( $wanted[ $stock_id ] ?? 0 ) + (int) $line['quantity'];
			if ( $product->managing_stock() && ! $product->backorders_allowed() && (int) $product->get_stock_quantity() < $wanted[ $stock_id ] ) {
				throw new ShopRejected( sprintf( 'not enough stock for %s: %d left, %d ordered', $sku, (int) $product->get_stock_quantity(), $wanted[ $stock_id ] ) );
			}
		}

		$include_tax = ! empty( $draft['prices_include_tax'] );
		$decimals    = Money::decimals();
		$settings    = ShopSettings::all();
		$rate_id     = MarketplaceTax::rate_id( (string) $settings['tax_label'] );

		$order = new \WC_Order();
		$order->set_created_via( self::CREATED_VIA );
		$order->set_currency( '' !== (string) ( $draft['currency'] ?? '' ) ? (string) $draft['currency'] : get_woocommerce_currency() );
		$order->set_prices_include_tax( $include_tax );
		$order->set_customer_id( 0 );
		$order->set_payment_method( self::PAYMENT_METHOD );
		/* translators: %s: marketplace name */
		$order->set_payment_method_title( sprintf( __( 'Mirakl (%s)', 'mirakl-connector-for-woocommerce' ), (string) $settings['marketplace_name'] ) );
		$order->update_meta_data( self::META_ORDER_ID, $mirakl_id );
		if ( '' !== (string) ( $draft['commercial_id'] ?? '' ) ) {
			$order->update_meta_data( self::META_COMMERCIAL_ID, (string) $draft['commercial_id'] );
		}
		$order->update_meta_data( self::META_COMMISSION_TOTAL, Money::format( Money::micros( $draft['commission_total'] ?? '0' ), $decimals ) );
		$order->update_meta_data( self::META_ORDER_TAX_MODE, $include_tax ? 'TAX_INCLUDED' : 'TAX_EXCLUDED' );
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
			$item->add_meta_data( self::META_LINE_ID, (string) $line['mirakl_order_line_id'], true );
			$item->add_meta_data( self::META_LINE_SKU, (string) $line['sku'], true );
			$item->add_meta_data( self::META_COMMISSION_FEE, Money::format( Money::micros( $line['commission_fee'] ?? '0' ), $decimals ), true );
			$item->add_meta_data( self::META_COMMISSION_VAT, Money::format( Money::micros( $line['commission_vat'] ?? '0' ), $decimals ), true );
			$item->add_meta_data( self::META_LINE_COMMISSION, Money::format( Money::micros( $line['commission_total'] ?? '0' ), $decimals ), true );
			foreach ( self::fields( $line['additional_fields'] ?? array() ) as $code => $value ) {
				$item->add_meta_data( self::LINE_FIELD_PREFIX . $code, $value, true );
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
		$shipping->set_method_id( '' !== sanitize_key( $mapped[0] ) ? sanitize_key( $mapped[0] ) : self::CREATED_VIA );
		if ( isset( $mapped[1] ) && ctype_digit( $mapped[1] ) ) {
			$shipping->set_instance_id( (int) $mapped[1] );
		}
		foreach ( array(
			self::META_SHIPPING_TYPE => 'type_code',
			self::META_SHIPPING_ZONE => 'zone_code',
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
			$order->update_meta_data( self::META_FIELDS, $fields );
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

		$order->set_shipping_total( Money::format( $shipping_net, $decimals ) );
		$order->set_shipping_tax( Money::format( $shipping_tax, $decimals ) );
		$order->set_cart_tax( Money::format( $tax_total, $decimals ) );
		$order->set_discount_total( Money::format( max( 0, Money::micros( $amounts['discount_total'] ?? '0' ) ), $decimals ) );
		$order->set_discount_tax( 0 );
		$order->set_total( Money::format( Money::micros( $amounts['grand_total'] ?? '0' ), $decimals ) );
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
		wc_reduce_stock_levels( $order->get_id() );
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
				'net' => Money::format( $net, 6 ),
				'tax' => Money::format( $tax, 6 ),
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
	 * {@inheritDoc}
	 *
	 * @param int        $order_id Order id.
	 * @param array|null $billing  Billing address, or null to leave it.
	 * @param array|null $shipping Shipping address, or null to leave it.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function update_order_addresses( int $order_id, ?array $billing, ?array $shipping ): void {
		$this->applying(
			function () use ( $order_id, $billing, $shipping ) {
				$order  = self::order( $order_id );
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
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $order_id Order id.
	 * @param string $status   Status slug.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function set_order_status( int $order_id, string $status ): void {
		$this->applying(
			function () use ( $order_id, $status ) {
				$order  = self::order( $order_id );
				$status = ShopSettings::strip_prefix( $status );
				if ( $order->has_status( $status ) ) {
					return;
				}
				/* translators: %s: new order status */
				$order->update_status( $status, sprintf( __( 'The marketplace order changed state: status set to %s.', 'mirakl-connector-for-woocommerce' ), wc_get_order_status_name( $status ) ) );
			}
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $order_id Order id.
	 * @param string $note     Note text.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function add_order_note( int $order_id, string $note ): void {
		$this->applying(
			function () use ( $order_id, $note ) {
				self::order( $order_id )->add_order_note( $note );
			}
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $order_id Order id.
	 * @param string $reason   Why.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function cancel_order( int $order_id, string $reason ): void {
		$this->applying(
			function () use ( $order_id, $reason ) {
				$order = self::order( $order_id );
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
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $order_id Order id.
	 */
	public function read_tracking( int $order_id ): ?array {
		// Tracking plugins may write post meta past WC_Order, which WooCommerce's cached meta of
		// the order does not see: read it fresh.
		\WC_Cache_Helper::invalidate_cache_group( 'object_' . $order_id );
		$order = wc_get_order( $order_id );
		return $order instanceof \WC_Order ? TrackingReader::read( $order ) : null;
	}

	// -------------------------------------------------------------------------------- refunds --

	/**
	 * {@inheritDoc}
	 *
	 * @param int $refund_id Refund id.
	 * @throws ShopRejected When the refund has an amount but no per-line amounts.
	 */
	public function read_refund( int $refund_id ): ?array {
		return ( new WooRefunds() )->read_refund( $refund_id );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int   $order_id Order id.
	 * @param array $refund   The marketplace refund.
	 * @throws ShopRejected When the order does not exist or WooCommerce refuses the refund.
	 */
	public function record_marketplace_refund( int $order_id, array $refund ): int {
		return $this->applying( fn () => ( new WooRefunds() )->record_marketplace_refund( $order_id, $refund ) );
	}

	/**
	 * Whether the order's amounts were given tax included (as the marketplace sent them).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function includes_tax( \WC_Order $order ): bool {
		$mode = (string) $order->get_meta( self::META_ORDER_TAX_MODE );
		return '' === $mode ? (bool) $order->get_prices_include_tax() : 'TAX_INCLUDED' === $mode;
	}

	/**
	 * An order, or a rejection naming it.
	 *
	 * @param int $order_id Order id.
	 * @throws ShopRejected When it does not exist.
	 */
	public static function order( int $order_id ): \WC_Order {
		$order = wc_get_order( $order_id );
		if ( ! $order instanceof \WC_Order ) {
			throw new ShopRejected( sprintf( 'no order %d in WooCommerce', $order_id ) );
		}
		return $order;
	}
}
