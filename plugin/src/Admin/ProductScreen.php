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
		$html        = '<ul class="mirakl-sku-states">';
		$has_reader  = $this->reader->supports( 'sku_status' );
		foreach ( $skus as $sku ) {
			$html .= '<li><code>' . esc_html( $sku ) . '</code> ';
			if ( $has_reader ) {
				$state = $this->reader->call( 'sku_status', array( $sku ) );
				if ( is_array( $state ) ) {
					$html .= esc_html(
						sprintf(
							/* translators: 1: quantity pushed, 2: when, 3: marketplace quantity */
							__( 'pushed %1$s (%2$s) · marketplace %3$s', 'mirakl-connector-for-woocommerce' ),
							isset( $state['last_pushed_quantity'] ) ? (string) $state['last_pushed_quantity'] : '—',
							DashboardPage::ago( $state['last_pushed_at'] ?? null ),
							isset( $state['marketplace_quantity'] ) ? (string) $state['marketplace_quantity'] : '—'
						)
					);
					if ( ! empty( $state['last_error'] ) ) {
						$html .= '<br><span class="mirakl-text-critical">' . esc_html( (string) $state['last_error'] ) . '</span>';
					}
					if ( ! empty( $state['dirty'] ) ) {
						$html .= ' <span class="mirakl-badge mirakl-badge-warning">' . esc_html__( 'change waiting', 'mirakl-connector-for-woocommerce' ) . '</span>';
					}
				} else {
					$html .= esc_html__( 'not pushed yet', 'mirakl-connector-for-woocommerce' );
				}
			}
			$problems = $this->reader->exceptions(
				array(
					'entity_type' => 'sku',
					'entity_id'   => $sku,
					'state'       => 'open',
					'limit'       => 5,
				)
			);
			if ( empty( $problems ) ) {
				$html .= ' <span class="mirakl-badge mirakl-badge-good">' . esc_html__( 'no problem', 'mirakl-connector-for-woocommerce' ) . '</span>';
			}
			foreach ( $problems as $problem ) {
				$html .= '<br><span class="mirakl-badge mirakl-badge-' . esc_attr( (string) $problem['severity'] ) . '">' . esc_html( ExceptionKinds::label( (string) $problem['kind'] ) ) . '</span> ' . esc_html( (string) $problem['message'] );
			}
			$html .= '</li>';
		}
		$html .= '</ul>';
		if ( ! $has_reader ) {
			$html .= '<p class="description">' . esc_html__( 'Pushed quantities show once the core reports them (Engine::sku_status).', 'mirakl-connector-for-woocommerce' ) . '</p>';
		}
		$html .= '<p><a href="' . esc_url( DashboardPage::url() ) . '">' . esc_html__( 'Mirakl dashboard', 'mirakl-connector-for-woocommerce' ) . '</a></p>';
		return $html;
	}
}
