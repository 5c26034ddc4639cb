<?php
/**
 * The Shop port as PHP sees it: every WooCommerce operation the sync engine asks for. The engine
 * (Rust) calls these methods back during `tick()`; WooShop implements them with WooCommerce's CRUD
 * API. Arrays have the shapes documented on each method (money as decimal strings such as
 * "12.50"; ids as ints). Throw ShopRejected when a human must look; any other Throwable means
 * "try again later".
 *
 * Invariants an implementation keeps: create_order() is only called after
 * find_order_by_mirakl_id() returned null; cancel_order() and record_marketplace_refund() are
 * idempotent.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

interface Shop {

	/**
	 * Stock of these SKUs. SKUs the shop does not know are left out.
	 *
	 * @param string[] $skus SKUs.
	 * @return array<int, array{sku: string, quantity: int|null}> quantity null = stock not managed.
	 */
	public function read_stock( array $skus ): array;

	/**
	 * Offer data of these SKUs; two entries with one SKU mean a duplicate SKU.
	 *
	 * @param string[] $skus SKUs.
	 * @return array<int, array{product_id: int, sku: string|null, title: string, price: string, product_reference: string|null, quantity: int|null, description: string|null}>
	 */
	public function read_offers( array $skus ): array;

	/**
	 * One page of the whole catalogue (products and variations) in a stable order.
	 *
	 * @param string|null $after Cursor returned as `next` by the previous page, null for the first.
	 * @param int         $limit Page size.
	 * @return array{items: array, next: string|null} items shaped as in read_offers().
	 */
	public function read_catalogue( ?string $after, int $limit ): array;

	/**
	 * The shop order created for a Mirakl order, if any.
	 *
	 * @param string $mirakl_order_id Mirakl order id.
	 * @return array{id: int, status: string}|null
	 */
	public function find_order_by_mirakl_id( string $mirakl_order_id ): ?array;

	/**
	 * The Mirakl order id a shop order carries (saved with the order when it was created).
	 *
	 * @param int $order_id Shop order id.
	 * @return string|null Null for an order the connector did not make, or no such order.
	 */
	public function mirakl_order_id_of( int $order_id ): ?string;

	/**
	 * Shop orders carrying a Mirakl order id modified at or after `$since`, by ascending id,
	 * one page of `$per_page` (`$page` from 1), each with its refunds.
	 *
	 * @param int $since    Unix time.
	 * @param int $page     Page, from 1.
	 * @param int $per_page Orders per page.
	 * @return array{orders: list<array{id: int, mirakl_order_id: string, status: string, modified_at: string, refunds: list<array{id: int, amount: string, created_at: string, mirakl_refund_id: ?string}>}>, more: bool}
	 */
	public function marketplace_orders( int $since, int $page, int $per_page ): array;

	/**
	 * Creates a marketplace order and reduces its stock.
	 *
	 * @param array $draft {mirakl_order_id, commercial_id, currency, prices_include_tax: bool,
	 *                     lines: [{sku, quantity, price, unit_price, tax, shipping_price, shipping_tax,
	 *                     commission_fee, commission_vat, commission_total, mirakl_order_line_id,
	 *                     discount, additional_fields: [{code, value}]}],
	 *                     shipping_total, total, commission_total, customer_first_name,
	 *                     customer_last_name, billing_address, shipping_address (null or {first_name,
	 *                     last_name, company, street_1, street_2, zip_code, city, state,
	 *                     country_iso_code (the core's ISO alpha-2 code, '' when unknown), phone}),
	 *                     status, amounts (the core's figures, with each line's discount and
	 *                     discount_total), shipping (null or {title, type_code, zone_code,
	 *                     zone_label, method_id}), additional_fields: [{code, value}], notes: [text]}.
	 * @return int The new order's id.
	 * @throws ShopRejected When a line's SKU is unknown or the order cannot be made.
	 */
	public function create_order( array $draft ): int;

	/**
	 * Sets an order's status (a WooCommerce status slug without the `wc-` prefix).
	 *
	 * @param int    $order_id Order id.
	 * @param string $status   Status slug.
	 */
	public function set_order_status( int $order_id, string $status ): void;

	/**
	 * Sets the order's addresses once Mirakl reveals them (often only once the order is paid);
	 * null leaves that address as it is. Setting the same address again changes nothing.
	 *
	 * @param int        $order_id Order id.
	 * @param array|null $billing  {first_name, last_name, company, street_1, street_2, zip_code, city, state, country_iso_code, phone} or null.
	 * @param array|null $shipping Same shape, or null.
	 */
	public function update_order_addresses( int $order_id, ?array $billing, ?array $shipping ): void;

	/**
	 * Adds a private order note.
	 *
	 * @param int    $order_id Order id.
	 * @param string $note     Note text.
	 */
	public function add_order_note( int $order_id, string $note ): void;

	/**
	 * Cancels the order and restocks it; a second call changes nothing.
	 *
	 * @param int    $order_id Order id.
	 * @param string $reason   Why (shown in an order note).
	 */
	public function cancel_order( int $order_id, string $reason ): void;

	/**
	 * The tracking entered for a shipped order.
	 *
	 * @param int $order_id Order id.
	 * @return array{carrier: string, tracking_number: string, tracking_url: string|null}|null
	 */
	public function read_tracking( int $order_id ): ?array;

	/**
	 * A refund's lines and amounts.
	 *
	 * @param int $refund_id Refund id.
	 * @return array{id: int, order_id: int, lines: array<int, array{sku: string, mirakl_order_line_id: string|null, quantity: int, amount: string}>, shipping_amount: string, mirakl_refund_id: string|null}|null
	 */
	public function read_refund( int $refund_id ): ?array;

	/**
	 * Records a refund or cancelation made on Mirakl (no money moves in WooCommerce's gateway)
	 * with Mirakl's amounts and taxes (`tax`, `shipping_tax`, in the Mirakl order's tax mode
	 * `prices_include_tax`), restocking `quantity` units when `restock` is set and noting the
	 * reason (`reason_label`, else `reason_code`); a second call with the same mirakl_refund_id
	 * returns the refund already recorded.
	 *
	 * @param int   $order_id Order id.
	 * @param array $refund   {mirakl_refund_id, mirakl_order_line_id, sku, quantity, amount, shipping_amount, reason_code, kind (refund|cancelation), tax, shipping_tax, prices_include_tax, reason_label, restock}.
	 * @return int The refund's id.
	 */
	public function record_marketplace_refund( int $order_id, array $refund ): int;
}
