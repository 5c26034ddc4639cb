<?php
/**
 * The product edit screen: a "Mirakl" box with the SKU's sync state (last pushed quantity and
 * when, the marketplace's quantity, open problems for the SKU). Variations are listed by SKU.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

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
		$skus = self::skus( $product_id );
		if ( empty( $skus ) ) {
			return '<p>' . esc_html__( 'This product has no SKU, so it is not listed on Mirakl: the SKU joins WooCommerce and the marketplace.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		}
		$html       = '<ul class="mirakl-sku-states">';
		foreach ( $skus as $sku ) {
			$html .= '<li class="mirakl-sku-state" data-sku="' . esc_attr( $sku ) . '"><code>' . esc_html( $sku ) . '</code> ';
			$state = $this->reader->sku_status( $sku );
			$problems = $this->reader->problems(
				array(
					'entity_type' => 'sku',
					'entity_id'   => $sku,
					'state'       => 'open',
					'limit'       => 5,
				)
			);
			if ( ! empty( $problems ) || ! empty( $state['last_error'] ) ) {
				$html .= '<span class="mirakl-badge mirakl-badge-error">' . esc_html__( 'problem', 'mirakl-connector-for-woocommerce' ) . '</span>';
			} elseif ( ! empty( $state['dirty'] ) ) {
				$html .= '<span class="mirakl-badge mirakl-badge-warning">' . esc_html__( 'change waiting to be pushed', 'mirakl-connector-for-woocommerce' ) . '</span>';
			} elseif ( is_array( $state ) && isset( $state['last_pushed_quantity'] ) ) {
				$html .= '<span class="mirakl-badge mirakl-badge-good">' . esc_html__( 'in sync', 'mirakl-connector-for-woocommerce' ) . '</span>';
			}
			$rows = array(
				__( 'WooCommerce stock', 'mirakl-connector-for-woocommerce' ) => isset( $state['shop_quantity'] ) ? (string) $state['shop_quantity'] : '—',
				__( 'Last pushed', 'mirakl-connector-for-woocommerce' )       => isset( $state['last_pushed_quantity'] )
					? $state['last_pushed_quantity'] . ' · ' . Format::ago( $state['last_pushed_at'] ?? null )
					: __( 'not yet', 'mirakl-connector-for-woocommerce' ),
				__( 'On the marketplace', 'mirakl-connector-for-woocommerce' ) => isset( $state['marketplace_quantity'] )
					? $state['marketplace_quantity'] . ' · ' . Format::ago( $state['marketplace_seen_at'] ?? null )
					: __( 'not read yet', 'mirakl-connector-for-woocommerce' ),
			);
			$html .= '<dl class="mirakl-order-box">';
			foreach ( $rows as $label => $value ) {
				$html .= '<dt>' . esc_html( $label ) . '</dt><dd>' . esc_html( $value ) . '</dd>';
			}
			$html .= '</dl>';
			if ( ! empty( $state['last_error'] ) ) {
				$html .= '<p class="mirakl-text-critical">' . esc_html( (string) $state['last_error'] ) . '</p>';
			}
			foreach ( $problems as $problem ) {
				$html .= '<p><span class="mirakl-badge mirakl-badge-' . esc_attr( (string) $problem['severity'] ) . '">' . esc_html( ProblemKinds::label( (string) $problem['kind'] ) ) . '</span> ' . esc_html( (string) $problem['message'] ) . '</p>';
			}
			$html .= '</li>';
		}
		$html .= '</ul>';
		$html .= '<p><a href="' . esc_url( DashboardPage::url() ) . '">' . esc_html__( 'Mirakl dashboard', 'mirakl-connector-for-woocommerce' ) . '</a></p>';
		return $html;
	}
}
