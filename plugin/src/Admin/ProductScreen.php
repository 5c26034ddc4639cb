<?php
/**
 * The product edit screen: a "Mirakl" box with the SKU's sync state (last pushed quantity and
 * when, the marketplace's quantity, open problems for the SKU). Variations are listed by SKU.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\EntityType;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Product sync state box.
 */
class ProductScreen {

	/**
	 * Guarded engine reads.
	 *
	 * @var EngineReader
	 */
	private EngineReader $reader;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->reader = new EngineReader( $bridge );
	}

	/**
	 * Hooks the box.
	 */
	public function register(): void {
		add_action( 'add_meta_boxes_product', array( $this, 'add_meta_box' ) );
	}

	/**
	 * Adds the box.
	 */
	public function add_meta_box(): void {
		add_meta_box( 'mirakl-connector-product', __( 'Mirakl', 'mirakl-connector-for-woocommerce' ), array( $this, 'render' ), 'product', 'side', 'default' );
	}

	/**
	 * The SKUs of a product (its own and its variations').
	 *
	 * @param int $product_id Product id.
	 * @return string[]
	 */
	public static function skus( int $product_id ): array {
		if ( ! function_exists( 'wc_get_product' ) ) {
			return array();
		}
		$product = wc_get_product( $product_id );
		if ( ! $product ) {
			return array();
		}
		$skus = array();
		if ( '' !== (string) $product->get_sku() ) {
			$skus[] = (string) $product->get_sku();
		}
		if ( $product->is_type( 'variable' ) ) {
			foreach ( $product->get_children() as $child_id ) {
				$child = wc_get_product( $child_id );
				if ( $child && '' !== (string) $child->get_sku() && $child->get_sku() !== $product->get_sku() ) {
					$skus[] = (string) $child->get_sku();
				}
			}
		}
		return array_slice( array_values( array_unique( $skus ) ), 0, 30 );
	}

	/**
	 * Prints the box.
	 *
	 * @param \WP_Post $post The product post.
	 */
	public function render( $post ): void {
		echo $this->html( (int) $post->ID ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in html().
	}

	/**
	 * The box's markup.
	 *
	 * @param int $product_id Product id.
	 */
	public function html( int $product_id ): string {
		$states = array();
		foreach ( self::skus( $product_id ) as $sku ) {
			$state    = $this->reader->sku_status( $sku );
			$problems = $this->reader->problems(
				array(
					'entity_type' => EntityType::SKU,
					'entity_id'   => $sku,
					'state'       => 'open',
					'limit'       => 5,
				)
			);
			$badge    = null;
			if ( ! empty( $problems ) || ! empty( $state['last_error'] ) ) {
				$badge = array( 'error', __( 'problem', 'mirakl-connector-for-woocommerce' ) );
			} elseif ( ! empty( $state['dirty'] ) ) {
				$badge = array( 'warning', __( 'change waiting to be pushed', 'mirakl-connector-for-woocommerce' ) );
			} elseif ( is_array( $state ) && isset( $state['last_pushed_quantity'] ) ) {
				$badge = array( 'good', __( 'in sync', 'mirakl-connector-for-woocommerce' ) );
			}
			$states[] = array(
				'sku'        => $sku,
				'badge'      => $badge,
				'rows'       => array(
					__( 'WooCommerce stock', 'mirakl-connector-for-woocommerce' ) => isset( $state['shop_quantity'] ) ? (string) $state['shop_quantity'] : '—',
					__( 'Last pushed', 'mirakl-connector-for-woocommerce' )       => isset( $state['last_pushed_quantity'] )
						? $state['last_pushed_quantity'] . ' · ' . Format::ago( $state['last_pushed_at'] ?? null )
						: __( 'not yet', 'mirakl-connector-for-woocommerce' ),
					__( 'On the marketplace', 'mirakl-connector-for-woocommerce' ) => isset( $state['marketplace_quantity'] )
						? $state['marketplace_quantity'] . ' · ' . Format::ago( $state['marketplace_seen_at'] ?? null )
						: __( 'not read yet', 'mirakl-connector-for-woocommerce' ),
				),
				'last_error' => (string) ( $state['last_error'] ?? '' ),
				'problems'   => $problems,
			);
		}
		return View::html( 'html-product-box', array( 'states' => $states ) );
	}
}
