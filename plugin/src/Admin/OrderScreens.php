<?php
/**
 * The order screens: a "Mirakl" meta box on marketplace orders (Mirakl order id and state,
 * deadlines, commission, tracking and refunds pushed, open problems) and a filter on the orders
 * list for marketplace orders. Both order storages (posts and HPOS) are handled.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

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
		$mapped = array_keys( (array) ( Settings::sync()['carrier_map'] ?? array() ) );
		$html   = '<fieldset class="mirakl-tracking"><legend>' . esc_html__( 'Tracking', 'mirakl-connector-for-woocommerce' ) . '</legend>';
		$html  .= wp_nonce_field( self::TRACKING_NONCE, 'mirakl_tracking_nonce', true, false );
		$html  .= '<p><label for="mirakl-carrier">' . esc_html__( 'Carrier', 'mirakl-connector-for-woocommerce' ) . '</label><input type="text" class="widefat" id="mirakl-carrier" name="mirakl_carrier" list="mirakl-carrier-names" value="' . esc_attr( (string) $order->get_meta( self::META_CARRIER ) ) . '">';
		$html  .= '<datalist id="mirakl-carrier-names">';
		foreach ( $mapped as $name ) {
			$html .= '<option value="' . esc_attr( (string) $name ) . '">';
		}
		$html .= '</datalist></p>';
		$html .= '<p><label for="mirakl-tracking-number">' . esc_html__( 'Tracking number', 'mirakl-connector-for-woocommerce' ) . '</label><input type="text" class="widefat" id="mirakl-tracking-number" name="mirakl_tracking_number" value="' . esc_attr( (string) $order->get_meta( self::META_TRACKING_NUMBER ) ) . '"></p>';
		$html .= '<p><label for="mirakl-tracking-url">' . esc_html__( 'Tracking URL (optional)', 'mirakl-connector-for-woocommerce' ) . '</label><input type="url" class="widefat" id="mirakl-tracking-url" name="mirakl_tracking_url" value="' . esc_attr( (string) $order->get_meta( self::META_TRACKING_URL ) ) . '"></p>';
		$shipped = preg_replace( '/^wc-/', '', (string) Settings::shop()['shipped_status'] );
		$labels  = SettingsForm::order_statuses();
		$html   .= '<p class="description">' . esc_html(
			sprintf(
				/* translators: %s: order status such as Completed */
				__( 'Set the status to "%s" and update the order: the tracking goes to Mirakl and the order is marked shipped there.', 'mirakl-connector-for-woocommerce' ),
				$labels[ 'wc-' . $shipped ] ?? $shipped
			)
		) . '</p></fieldset>';
		return $html;
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
		if ( empty( $sync ) ) {
			$html  = self::rows_html( $rows );
			$html .= '<p class="description">' . esc_html__( 'State, deadlines and refunds sent show here once the connector has synced this order (Engine::order_status).', 'mirakl-connector-for-woocommerce' ) . '</p>';
			return $html . self::problems_html( $mirakl_id, $reader );
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
		return self::rows_html( $rows ) . self::problems_html( $mirakl_id, $reader );
	}

	/**
	 * Label/value rows (values already escaped).
	 *
	 * @param array<string, string> $rows Rows.
	 */
	private static function rows_html( array $rows ): string {
		$html = '<dl class="mirakl-order-box">';
		foreach ( $rows as $label => $value ) {
			$html .= '<dt>' . esc_html( $label ) . '</dt><dd>' . $value . '</dd>';
		}
		return $html . '</dl>';
	}

	/**
	 * The order's open problems.
	 *
	 * @param string       $mirakl_id Mirakl order id.
	 * @param EngineReader $reader    Engine reads.
	 */
	private static function problems_html( string $mirakl_id, EngineReader $reader ): string {
		$html = '';
		$problems = $reader->problems(
			array(
				'entity_type' => 'mirakl_order',
				'entity_id'   => $mirakl_id,
				'state'       => 'open',
				'limit'       => 10,
			)
		);
		if ( ! empty( $problems ) ) {
			$html .= '<div class="mirakl-order-problems"><strong>' . esc_html__( 'Needs attention', 'mirakl-connector-for-woocommerce' ) . '</strong><ul>';
			foreach ( $problems as $problem ) {
				$html .= '<li class="mirakl-severity-' . esc_attr( (string) $problem['severity'] ) . '">' . esc_html( (string) $problem['message'] ) . '</li>';
			}
			$html .= '</ul><a href="' . esc_url( DashboardPage::url( 'mirakl-problems' ) ) . '">' . esc_html__( 'Retry or resolve on the dashboard', 'mirakl-connector-for-woocommerce' ) . '</a></div>';
		}
		return $html;
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
		$chosen = self::chosen();
		printf( '<label for="mirakl-channel-filter" class="screen-reader-text">%s</label>', esc_html__( 'Filter by channel', 'mirakl-connector-for-woocommerce' ) );
		printf( '<select name="%s" id="mirakl-channel-filter">', esc_attr( self::FILTER ) );
		foreach ( array(
			''            => __( 'All channels', 'mirakl-connector-for-woocommerce' ),
			'marketplace' => __( 'Mirakl marketplace orders', 'mirakl-connector-for-woocommerce' ),
			'shop'        => __( 'Shop orders only', 'mirakl-connector-for-woocommerce' ),
		) as $value => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $chosen, $value, false ), esc_html( $label ) );
		}
		echo '</select>';
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
