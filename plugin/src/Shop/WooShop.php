<?php
/**
 * The Shop port implemented with WooCommerce's CRUD API, so orders work the same in HPOS and in
 * the posts storage (order meta only through WC_Order, never post meta). The engine calls these
 * methods back during `tick()`. A thin dispatcher: the order writes are WooOrders', the refunds
 * WooRefunds', the catalogue reads WooCatalogue's.
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
	public const META_FULFILLMENT_CENTER = '_mirakl_fulfillment_center';
	public const META_FIELDS           = '_mirakl_additional_fields';
	/** Fee item meta marking the commission fee line. */
	public const META_FEE_LINE = '_mirakl_commission_fee_line';
	/** Line meta: the line's shipping without tax as the marketplace split it (for the finance matching). */
	public const META_LINE_SHIPPING = '_mirakl_shipping_amount';
	/** Line meta: the line's shipping tax as the marketplace split it. */
	public const META_LINE_SHIPPING_TAX = '_mirakl_shipping_tax';
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
	 * The order writes (WooOrders).
	 *
	 * @var WooOrders|null
	 */
	private ?WooOrders $orders = null;

	/**
	 * The order writes, made on first use.
	 */
	private function orders(): WooOrders {
		return $this->orders ??= new WooOrders();
	}

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
	 * @param int $since    Unix time.
	 * @param int $page     Page, from 1.
	 * @param int $per_page Orders per page.
	 */
	public function marketplace_orders( int $since, int $page, int $per_page ): array {
		return ( new MarketplaceOrders() )->page( $since, max( 1, $page ), max( 1, min( 200, $per_page ) ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param array $draft The order as the marketplace sold it.
	 * @throws ShopRejected When a line's SKU is unknown, a product cannot be sold or stock is short.
	 */
	public function create_order( array $draft ): int {
		return $this->applying( fn () => $this->orders()->create_order( $draft ) );
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
		$this->applying( fn () => $this->orders()->update_addresses( $order_id, $billing, $shipping ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $order_id Order id.
	 * @param string $status   Status slug.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function set_order_status( int $order_id, string $status ): void {
		$this->applying( fn () => $this->orders()->set_status( $order_id, $status ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $order_id Order id.
	 * @param string $note     Note text.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function add_order_note( int $order_id, string $note ): void {
		$this->applying( fn () => $this->orders()->add_note( $order_id, $note ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int    $order_id Order id.
	 * @param string $reason   Why.
	 * @throws ShopRejected When the order does not exist.
	 */
	public function cancel_order( int $order_id, string $reason ): void {
		$this->applying( fn () => $this->orders()->cancel( $order_id, $reason ) );
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
