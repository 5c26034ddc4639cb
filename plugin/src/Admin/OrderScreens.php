<?php
/**
 * The order screens: a "Mirakl" meta box on marketplace orders (Mirakl order id and state,
 * deadlines, commission, tracking and refunds pushed, open problems) and a filter on the orders
 * list for marketplace orders. Both order storages (posts and HPOS) are handled.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\EntityType;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Order meta box and orders-list filter.
 */
class OrderScreens {

	/** Nonce action of the tracking fields in the box. */
	public const TRACKING_NONCE = 'mirakl_connector_order_tracking';

	/** Order meta the tracking fields write (Shop\TrackingReader reads them first). */
	public const META_CARRIER         = '_mirakl_carrier';
	public const META_TRACKING_NUMBER = '_mirakl_tracking_number';
	public const META_TRACKING_URL    = '_mirakl_tracking_url';

	/** Query variable of the orders-list filter: `marketplace` or `shop`. */
	public const FILTER = 'mirakl_channel';

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
	 * Hooks the meta box and the filter.
	 */
	public function register(): void {
		add_action( 'add_meta_boxes', array( $this, 'add_meta_box' ), 10, 2 );
		add_action( 'restrict_manage_posts', array( $this, 'posts_filter_control' ) );
		add_filter( 'request', array( $this, 'posts_filter_query' ) );
		add_action( 'woocommerce_order_list_table_restrict_manage_orders', array( $this, 'hpos_filter_control' ) );
		add_filter( 'woocommerce_order_list_table_prepare_items_query_args', array( $this, 'hpos_filter_query' ) );
		// Before WooCommerce saves the status (priority 40), so a "shipped" status finds the tracking.
		add_action( 'woocommerce_process_shop_order_meta', array( $this, 'save_tracking' ), 30 );
	}

	/**
	 * Saves the tracking typed in the box (order edit form; both storages).
	 *
	 * @param int $order_id Order id.
	 */
	public function save_tracking( $order_id ): void {
		$nonce = isset( $_POST['mirakl_tracking_nonce'] ) ? sanitize_text_field( wp_unslash( $_POST['mirakl_tracking_nonce'] ) ) : '';
		if ( ! wp_verify_nonce( $nonce, self::TRACKING_NONCE ) || ! current_user_can( 'edit_shop_orders' ) ) {
			return;
		}
		$order = function_exists( 'wc_get_order' ) ? wc_get_order( (int) $order_id ) : null;
		if ( ! $order instanceof \WC_Order || '' === (string) $order->get_meta( OrderMeta::MIRAKL_ORDER_ID ) ) {
			return;
		}
		$fields = array(
			self::META_CARRIER         => isset( $_POST['mirakl_carrier'] ) ? sanitize_text_field( wp_unslash( $_POST['mirakl_carrier'] ) ) : '',
			self::META_TRACKING_NUMBER => isset( $_POST['mirakl_tracking_number'] ) ? sanitize_text_field( wp_unslash( $_POST['mirakl_tracking_number'] ) ) : '',
			self::META_TRACKING_URL    => isset( $_POST['mirakl_tracking_url'] ) ? esc_url_raw( wp_unslash( $_POST['mirakl_tracking_url'] ) ) : '',
		);
		$changed = false;
		foreach ( $fields as $key => $value ) {
			if ( (string) $order->get_meta( $key ) !== $value ) {
				$order->update_meta_data( $key, $value );
				$changed = true;
			}
		}
		if ( $changed ) {
			$order->save();
		}
	}

	/**
	 * The tracking fields of the box.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function tracking_fields_html( $order ): string {
		$shipped = preg_replace( '/^wc-/', '', (string) Settings::shop()['shipped_status'] );
		$labels  = SettingsForm::order_statuses();
		return View::html(
			'order/html-tracking-fields',
			array(
				'nonce_action'    => self::TRACKING_NONCE,
				'carrier'         => (string) $order->get_meta( self::META_CARRIER ),
				'carriers'        => array_map( 'strval', array_keys( (array) ( Settings::sync()['carrier_map'] ?? array() ) ) ),
				'tracking_number' => (string) $order->get_meta( self::META_TRACKING_NUMBER ),
				'tracking_url'    => (string) $order->get_meta( self::META_TRACKING_URL ),
				'shipped_status'  => $labels[ 'wc-' . $shipped ] ?? $shipped,
			)
		);
	}

	/**
	 * The order behind a meta box screen object (a post or an order).
	 *
	 * @param mixed $object WP_Post or WC_Order.
	 */
	private static function order_of( $object ) {
		if ( $object instanceof \WC_Order ) {
			return $object;
		}
		if ( $object instanceof \WP_Post && function_exists( 'wc_get_order' ) ) {
			$order = wc_get_order( $object->ID );
			return $order instanceof \WC_Order ? $order : null;
		}
		return null;
	}

	/**
	 * Adds the box on marketplace orders only.
	 *
	 * @param string $screen_id Screen or post type.
	 * @param mixed  $object    WP_Post or WC_Order.
	 */
	public function add_meta_box( $screen_id, $object = null ): void {
		$order = self::order_of( $object );
		if ( null === $order || '' === (string) $order->get_meta( OrderMeta::MIRAKL_ORDER_ID ) ) {
			return;
		}
		add_meta_box( 'mirakl-connector-order', __( 'Mirakl', 'mirakl-connector-for-woocommerce' ), array( $this, 'render_meta_box' ), $screen_id, 'side', 'high' );
	}

	/**
	 * Prints the box.
	 *
	 * @param mixed $object WP_Post or WC_Order.
	 */
	public function render_meta_box( $object ): void {
		$order = self::order_of( $object );
		if ( null === $order ) {
			return;
		}
		echo self::meta_box_html( $order, $this->reader ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in meta_box_html().
		echo self::tracking_fields_html( $order ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in tracking_fields_html().
	}

	/**
	 * The box's markup.
	 *
	 * @param \WC_Order    $order  The order.
	 * @param EngineReader $reader Engine reads.
	 */
	public static function meta_box_html( $order, EngineReader $reader ): string {
		$mirakl_id = (string) $order->get_meta( OrderMeta::MIRAKL_ORDER_ID );
		$status    = $reader->order_status( (int) $order->get_id() );
		$sync      = is_array( $status['order'] ?? null ) ? $status['order'] : array();
		$state     = (string) ( $sync['state'] ?? '' );
		$rows      = array(
			__( 'Mirakl order', 'mirakl-connector-for-woocommerce' ) => '<code>' . esc_html( $mirakl_id ) . '</code>',
		);
		$commercial = (string) $order->get_meta( OrderMeta::COMMERCIAL_ID );
		if ( '' !== $commercial ) {
			$rows[ __( 'Customer order', 'mirakl-connector-for-woocommerce' ) ] = esc_html( $commercial );
		}
		$commission = (string) $order->get_meta( OrderMeta::COMMISSION_TOTAL );
		$rows[ __( 'Commission', 'mirakl-connector-for-woocommerce' ) ] = '' === $commission ? '—' : wp_kses_post( function_exists( 'wc_price' ) ? wc_price( (float) $commission, array( 'currency' => $order->get_currency() ) ) : $commission );
		$type = (string) $order->get_meta( OrderMeta::SHIPPING_TYPE );
		$zone = (string) $order->get_meta( OrderMeta::SHIPPING_ZONE );
		if ( '' !== $type || '' !== $zone ) {
			/* translators: 1: Mirakl shipping type code, 2: Mirakl shipping zone code */
			$rows[ __( 'Shipping type', 'mirakl-connector-for-woocommerce' ) ] = esc_html( sprintf( __( '%1$s (zone %2$s)', 'mirakl-connector-for-woocommerce' ), '' !== $type ? $type : '—', '' !== $zone ? $zone : '—' ) );
		}
		$center = (string) $order->get_meta( OrderMeta::FULFILLMENT_CENTER );
		if ( '' !== $center ) {
			$rows[ __( 'Fulfillment center', 'mirakl-connector-for-woocommerce' ) ] = '<code>' . esc_html( $center ) . '</code>';
		}
		$fields = $order->get_meta( OrderMeta::ADDITIONAL_FIELDS );
		if ( is_array( $fields ) && ! empty( $fields ) ) {
			$rows[ __( 'Custom fields', 'mirakl-connector-for-woocommerce' ) ] = implode(
				'<br>',
				array_map(
					static fn ( $code, $value ) => '<code>' . esc_html( (string) $code ) . '</code> ' . nl2br( esc_html( (string) $value ) ),
					array_keys( $fields ),
					array_values( $fields )
				)
			);
		}
		$lines  = self::refunds_waiting( $order, $reader );
		$unsent = array() === $lines ? array() : array( __( 'Refunds waiting to be sent', 'mirakl-connector-for-woocommerce' ) => implode( '<br>', array_map( 'esc_html', $lines ) ) );
		if ( empty( $sync ) ) {
			return self::box_html( $rows + $unsent, false, $mirakl_id, $reader );
		}
		$rows[ __( 'State', 'mirakl-connector-for-woocommerce' ) ] = '' === $state ? '—' : '<span class="mirakl-state mirakl-state-' . esc_attr( strtolower( $state ) ) . '">' . esc_html( $state ) . '</span>';
		$acceptance = $sync['acceptance_deadline'] ?? null;
		$waiting    = 'WAITING_ACCEPTANCE' === $state;
		$refused    = in_array( $state, array( 'REFUSED', 'CANCELED' ), true );
		$rows[ __( 'Accept by', 'mirakl-connector-for-woocommerce' ) ] = $waiting || 'STAGING' === $state
			? ( empty( $acceptance ) ? '—' : Format::countdown( $acceptance ) )
			: ( $refused ? esc_html( $state ) : '✓ ' . esc_html__( 'accepted', 'mirakl-connector-for-woocommerce' ) );
		$shipping = $sync['shipping_deadline'] ?? null;
		$shipped  = in_array( $state, array( 'SHIPPED', 'TO_COLLECT', 'RECEIVED', 'CLOSED', 'CANCELED', 'REFUSED' ), true );
		$rows[ __( 'Ship by', 'mirakl-connector-for-woocommerce' ) ] = empty( $shipping ) ? '—' : ( $shipped ? esc_html( Format::when( $shipping ) ) : Format::countdown( $shipping ) );
		$rows[ __( 'Shipped on Mirakl', 'mirakl-connector-for-woocommerce' ) ] = in_array( $state, array( 'SHIPPED', 'TO_COLLECT', 'RECEIVED', 'CLOSED' ), true ) ? '✓ ' . esc_html__( 'tracking sent', 'mirakl-connector-for-woocommerce' ) : esc_html__( 'not yet', 'mirakl-connector-for-woocommerce' );
		$refunds = is_array( $status['refunds'] ?? null ) ? $status['refunds'] : array();
		$rows[ __( 'Refunds sent', 'mirakl-connector-for-woocommerce' ) ] = empty( $refunds )
			? esc_html__( 'none', 'mirakl-connector-for-woocommerce' )
			: implode(
				'<br>',
				array_map(
					static fn ( $r ) => esc_html(
						sprintf(
							/* translators: 1: WooCommerce refund id, 2: state such as sent, 3: Mirakl refund ids */
							__( 'refund #%1$d: %2$s %3$s', 'mirakl-connector-for-woocommerce' ),
							(int) ( $r['wc_refund_id'] ?? 0 ),
							(string) ( $r['state'] ?? '' ),
							empty( $r['mirakl_refund_ids'] ) ? '' : '(' . implode( ', ', (array) $r['mirakl_refund_ids'] ) . ')'
						)
					),
					$refunds
				)
			);
		return self::box_html( $rows + $unsent, true, $mirakl_id, $reader );
	}

	/**
	 * The order's WooCommerce refunds not sent to Mirakl yet, in words.
	 *
	 * @param \WC_Order    $order  The order.
	 * @param EngineReader $reader Engine reads.
	 * @return string[]
	 */
	private static function refunds_waiting( $order, EngineReader $reader ): array {
		$ids = array();
		foreach ( $order->get_refunds() as $refund ) {
			if ( '' === (string) $refund->get_meta( \MiraklConnector\Shop\WooShop::META_REFUND_ID ) ) {
				$ids[] = (int) $refund->get_id();
			}
		}
		$states = array(
			'queued'     => __( 'queued, goes out with the next order read', 'mirakl-connector-for-woocommerce' ),
			'sending'    => __( 'being sent', 'mirakl-connector-for-woocommerce' ),
			'failed'     => __( 'failed, see the problems', 'mirakl-connector-for-woocommerce' ),
			'rejected'   => __( 'refused by Mirakl, see the problems', 'mirakl-connector-for-woocommerce' ),
			'not_queued' => __( 'not queued yet, the next check finds it', 'mirakl-connector-for-woocommerce' ),
		);
		$lines = array();
		foreach ( $reader->refunds_waiting( $ids ) as $waiting ) {
			$state   = (string) ( $waiting['state'] ?? '' );
			$lines[] = sprintf(
				/* translators: 1: WooCommerce refund id, 2: where it is, such as "being sent" */
				__( 'refund #%1$d: %2$s', 'mirakl-connector-for-woocommerce' ),
				(int) ( $waiting['wc_refund_id'] ?? 0 ),
				$states[ $state ] ?? $state
			);
		}
		return $lines;
	}

	/**
	 * The box: label/value rows (values already escaped), whether the core has synced the order,
	 * and the order's open problems.
	 *
	 * @param array<string, string> $rows      Rows.
	 * @param bool                  $synced    Whether the core knows the order's state.
	 * @param string                $mirakl_id Mirakl order id.
	 * @param EngineReader          $reader    Engine reads.
	 */
	private static function box_html( array $rows, bool $synced, string $mirakl_id, EngineReader $reader ): string {
		return View::html(
			'order/html-order-box',
			array(
				'rows'     => $rows,
				'synced'   => $synced,
				'problems' => $reader->problems(
					array(
						'entity_type' => EntityType::MIRAKL_ORDER,
						'entity_id'   => $mirakl_id,
						'state'       => 'open',
						'limit'       => 10,
					)
				),
			)
		);
	}

	/**
	 * The chosen filter value.
	 */
	private static function chosen(): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a list filter, read only.
		$value = isset( $_GET[ self::FILTER ] ) ? sanitize_key( wp_unslash( $_GET[ self::FILTER ] ) ) : '';
		return in_array( $value, array( 'marketplace', 'shop' ), true ) ? $value : '';
	}

	/**
	 * The filter's select.
	 */
	private static function control(): void {
		View::render(
			'order/html-channel-filter',
			array(
				'name'   => self::FILTER,
				'chosen' => self::chosen(),
			)
		);
	}

	/**
	 * The meta query for the chosen filter, or null.
	 */
	public static function meta_query(): ?array {
		$chosen = self::chosen();
		if ( '' === $chosen ) {
			return null;
		}
		return array(
			'key'     => OrderMeta::MIRAKL_ORDER_ID,
			'compare' => 'marketplace' === $chosen ? 'EXISTS' : 'NOT EXISTS',
		);
	}

	/**
	 * Posts storage: the select above the list.
	 *
	 * @param string $post_type Post type.
	 */
	public function posts_filter_control( $post_type ): void {
		if ( 'shop_order' === $post_type ) {
			self::control();
		}
	}

	/**
	 * Posts storage: the query.
	 *
	 * @param array $vars Query vars.
	 */
	public function posts_filter_query( $vars ): array {
		$vars = is_array( $vars ) ? $vars : array();
		if ( ! is_admin() || 'shop_order' !== ( $vars['post_type'] ?? '' ) ) {
			return $vars;
		}
		$clause = self::meta_query();
		if ( null !== $clause ) {
			$vars['meta_query']   = isset( $vars['meta_query'] ) && is_array( $vars['meta_query'] ) ? $vars['meta_query'] : array(); // phpcs:ignore WordPress.DB.SlowDBQuery -- admin list filter.
			$vars['meta_query'][] = $clause;
		}
		return $vars;
	}

	/**
	 * HPOS: the select above the list.
	 *
	 * @param string $order_type Order type.
	 */
	public function hpos_filter_control( $order_type = 'shop_order' ): void {
		if ( 'shop_order' === $order_type ) {
			self::control();
		}
	}

	/**
	 * HPOS: the query.
	 *
	 * @param array $args Order query args.
	 */
	public function hpos_filter_query( $args ): array {
		$args   = is_array( $args ) ? $args : array();
		$clause = self::meta_query();
		if ( null !== $clause ) {
			$args['meta_query']   = isset( $args['meta_query'] ) && is_array( $args['meta_query'] ) ? $args['meta_query'] : array(); // phpcs:ignore WordPress.DB.SlowDBQuery -- admin list filter.
			$args['meta_query'][] = $clause;
		}
		return $args;
	}
}
