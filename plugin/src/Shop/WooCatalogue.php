<?php
/**
 * Catalogue reads of the Shop port (products, variations, stock by SKU), through WooCommerce's
 * product lookup table and CRUD objects; WooShop delegates to it. Reads only: nothing here writes.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce products as the engine reads them.
 */
final class WooCatalogue {

	/**
	 * See Shop::read_stock().
	 *
	 * @param string[] $skus SKUs.
	 */
	public function read_stock( array $skus ): array {
		$levels = array();
		$seen   = array();
		foreach ( $this->lookup_rows( $skus ) as $row ) {
			if ( isset( $seen[ $row['sku'] ] ) ) {
				continue;
			}
			$seen[ $row['sku'] ] = true;
			$quantity            = null === $row['stock_quantity'] ? null : (int) $row['stock_quantity'];
			if ( null === $quantity && 'product_variation' === $row['post_type'] ) {
				// A variation whose stock its parent manages has no quantity of its own.
				$product  = wc_get_product( (int) $row['product_id'] );
				$quantity = ( $product && $product->managing_stock() ) ? (int) $product->get_stock_quantity() : null;
			}
			$levels[] = array(
				'sku'      => (string) $row['sku'],
				'quantity' => $quantity,
			);
		}
		return $levels;
	}

	/**
	 * See Shop::read_offers().
	 *
	 * @param string[] $skus SKUs.
	 */
	public function read_offers( array $skus ): array {
		$offers = array();
		foreach ( $this->lookup_rows( $skus ) as $row ) {
			$product = wc_get_product( (int) $row['product_id'] );
			if ( $product ) {
				$offers[] = $this->offer( $product );
			}
		}
		return $offers;
	}

	/**
	 * See Shop::read_catalogue().
	 *
	 * @param string|null $after Cursor: the last product id of the previous page.
	 * @param int         $limit Page size.
	 */
	public function read_catalogue( ?string $after, int $limit ): array {
		global $wpdb;
		$limit = max( 1, $limit );
		$ids   = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT ID FROM {$wpdb->posts}
				WHERE post_type IN ('product', 'product_variation') AND post_status = 'publish' AND ID > %d
				ORDER BY ID LIMIT %d",
				(int) $after,
				$limit
			)
		);
		$items = array();
		foreach ( $ids as $id ) {
			$product = wc_get_product( (int) $id );
			// Parents of variations, groups and external products are not sold by the shop.
			if ( ! $product || $product->is_type( array( 'variable', 'grouped', 'external' ) ) ) {
				continue;
			}
			if ( $product->is_type( 'variation' ) && 'publish' !== get_post_status( $product->get_parent_id() ) ) {
				continue;
			}
			$items[] = $this->offer( $product );
		}
		return array(
			'items' => $items,
			'next'  => count( $ids ) === $limit ? (string) end( $ids ) : null,
		);
	}

	/**
	 * Rows of the product lookup table for these SKUs (one query per 500 SKUs), in product id
	 * order, for products and variations that are not trashed.
	 *
	 * @param string[] $skus SKUs.
	 * @return array<int, array{product_id: string, sku: string, stock_quantity: string|null, post_type: string}>
	 */
	private function lookup_rows( array $skus ): array {
		global $wpdb;
		$skus = array_values( array_unique( array_filter( array_map( 'strval', $skus ), static fn ( $sku ) => '' !== $sku ) ) );
		$rows = array();
		foreach ( array_chunk( $skus, 500 ) as $chunk ) {
			$placeholders = implode( ',', array_fill( 0, count( $chunk ), '%s' ) );
			// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders built above.
			$found = $wpdb->get_results(
				$wpdb->prepare(
					"SELECT l.product_id, l.sku, l.stock_quantity, p.post_type
					FROM {$wpdb->prefix}wc_product_meta_lookup l
					INNER JOIN {$wpdb->posts} p ON p.ID = l.product_id
					WHERE l.sku IN ($placeholders)
					AND p.post_type IN ('product', 'product_variation')
					AND p.post_status NOT IN ('trash', 'auto-draft')
					ORDER BY l.product_id",
					$chunk
				),
				ARRAY_A
			);
			// phpcs:enable
			$rows = array_merge( $rows, is_array( $found ) ? $found : array() );
		}
		return $rows;
	}

	/**
	 * The offer data of a product or variation.
	 *
	 * @param \WC_Product $product The product.
	 */
	private function offer( \WC_Product $product ): array {
		$sku       = (string) $product->get_sku();
		$price     = (string) $product->get_price();
		$reference = null;
		$meta_key  = (string) ShopSettings::get( 'product_reference_meta' );
		if ( '' !== $meta_key ) {
			$value     = (string) $product->get_meta( $meta_key );
			$reference = '' === $value ? null : $value;
		}
		$description = $product->get_short_description();
		if ( '' === $description && $product->is_type( 'variation' ) ) {
			$description = $product->get_description();
		}
		$description = trim( wp_strip_all_tags( (string) $description ) );
		return array(
			'product_id'        => (int) $product->get_id(),
			'sku'               => '' === $sku ? null : $sku,
			'title'             => wp_strip_all_tags( $product->get_name() ),
			'price'             => Money::format( Money::micros( '' === $price ? '0' : $price ), 6 ),
			'product_reference' => $reference,
			'quantity'          => $product->managing_stock() ? (int) $product->get_stock_quantity() : null,
			'description'       => '' === $description ? null : $description,
		);
	}
}
