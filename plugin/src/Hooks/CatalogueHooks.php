<?php
/**
 * Catalogue events: stock set on a product or variation (by an admin edit, a checkout, a REST or
 * CSV import, an order) and product data saved. Only collects into the change map; the callbacks
 * are wrapped so that nothing thrown here can break a checkout or a product save.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Hooks;

use MiraklConnector\Runner\Log;

defined( 'ABSPATH' ) || exit;

/**
 * Stock and product hooks.
 */
class CatalogueHooks {

	/**
	 * The request's change map.
	 *
	 * @var ChangeMap
	 */
	private ChangeMap $changes;

	/**
	 * Constructor.
	 *
	 * @param ChangeMap $changes The request's change map.
	 */
	public function __construct( ChangeMap $changes ) {
		$this->changes = $changes;
	}

	/**
	 * Hooks into WooCommerce.
	 */
	public function register(): void {
		add_action( 'woocommerce_product_set_stock', array( $this, 'stock_set' ) );
		add_action( 'woocommerce_variation_set_stock', array( $this, 'stock_set' ) );
		add_action( 'woocommerce_new_product', array( $this, 'product_saved' ), 10, 2 );
		add_action( 'woocommerce_update_product', array( $this, 'product_saved' ), 10, 2 );
		add_action( 'woocommerce_new_product_variation', array( $this, 'product_saved' ), 10, 2 );
		add_action( 'woocommerce_update_product_variation', array( $this, 'product_saved' ), 10, 2 );
	}

	/**
	 * `woocommerce_product_set_stock` / `woocommerce_variation_set_stock`.
	 *
	 * @param \WC_Product $product The product whose stock was set.
	 */
	public function stock_set( $product ): void {
		try {
			if ( ! $product instanceof \WC_Product ) {
				return;
			}
			$this->note_stock( $product );
			// Variations whose stock the parent manages share the parent's quantity.
			if ( $product->is_type( 'variable' ) ) {
				foreach ( $product->get_children() as $child_id ) {
					$child = wc_get_product( $child_id );
					if ( $child && 'parent' === $child->get_manage_stock() ) {
						$this->note_stock( $child );
					}
				}
			}
		} catch ( \Throwable $e ) {
			Log::exception( 'Noting a stock change', $e );
		}
	}

	/**
	 * `woocommerce_new_product`, `woocommerce_update_product` and their variation twins.
	 *
	 * @param int             $product_id Product id.
	 * @param \WC_Product|null $product    The product, when WooCommerce passes it.
	 */
	public function product_saved( $product_id, $product = null ): void {
		try {
			if ( ! $product instanceof \WC_Product ) {
				$product = wc_get_product( (int) $product_id );
			}
			if ( ! $product ) {
				return;
			}
			$sku = (string) $product->get_sku();
			if ( '' !== $sku ) {
				$this->changes->product( $sku );
			}
		} catch ( \Throwable $e ) {
			Log::exception( 'Noting a product change', $e );
		}
	}

	/**
	 * Notes the stock of a product that has a SKU and managed stock.
	 *
	 * @param \WC_Product $product The product.
	 */
	private function note_stock( \WC_Product $product ): void {
		$sku = (string) $product->get_sku();
		if ( '' === $sku || ! $product->managing_stock() ) {
			return;
		}
		$this->changes->stock( $sku, (int) $product->get_stock_quantity() );
	}
}
