<?php
/**
 * WooCommerce → Mirakl settings: connection, stock, offers, orders, shipping, refunds and alerts
 * in one form saved through admin-post.php, all or nothing. The API key is never printed: the
 * field stays empty and a new key replaces the stored one. Also the "Test connection" and
 * "Refresh carriers" actions.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * The settings screen and its actions.
 */
class SettingsPage {

	public const SLUG                    = 'mirakl-connector-settings';
	public const ACTION_SAVE             = 'mirakl_connector_save_settings';
	public const ACTION_TEST_CONNECTION  = 'mirakl_connector_test_connection';
	public const ACTION_REFRESH_CARRIERS = 'mirakl_connector_refresh_carriers';

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

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
		$this->bridge = $bridge;
		$this->reader = new EngineReader( $bridge );
	}

	/**
	 * Hooks the actions.
	 */
	public function register(): void {
		add_action( 'admin_post_' . self::ACTION_SAVE, array( $this, 'on_save' ) );
		add_action( 'admin_post_' . self::ACTION_TEST_CONNECTION, array( $this, 'on_test_connection' ) );
		add_action( 'admin_post_' . self::ACTION_REFRESH_CARRIERS, array( $this, 'on_refresh_carriers' ) );
	}

	/**
	 * The page's URL.
	 *
	 * @param string $section Optional anchor.
	 */
	public static function url( string $section = '' ): string {
		return admin_url( 'admin.php?page=' . self::SLUG ) . ( '' !== $section ? '#' . $section : '' );
	}

	/**
	 * admin-post: saves the form.
	 */
	public function on_save(): void {
		Guard::authorize( self::ACTION_SAVE );
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked by Guard::authorize().
		$input = isset( $_POST['mirakl'] ) && is_array( $_POST['mirakl'] ) ? wp_unslash( $_POST['mirakl'] ) : array();
		$this->save( $input );
		Guard::redirect( self::url() );
	}

	/**
	 * Validates and saves; leaves a flash message either way.
	 *
	 * @param array $input The form's `mirakl` array, unslashed.
	 * @return bool Whether the settings were saved.
	 */
	public function save( array $input ): bool {
		if ( ! current_user_can( 'manage_options' ) ) {
			// The connection (where the API key is sent) is the administrator's: a Shop Manager's
			// form keeps the stored one whatever it posts.
			$stored = Settings::connection();
			foreach ( array( 'api_url', 'shop_id', 'connect_timeout', 'timeout', 'max_response_mib', 'max_export_mib' ) as $field ) {
				$input[ $field ] = (string) ( $stored[ $field ] ?? '' );
			}
			$input['allowed_hosts'] = implode( ', ', array_map( 'strval', (array) ( $stored['allowed_hosts'] ?? array() ) ) );
			$input['api_key']       = '';
		}
		$result = ( new SettingsForm( $this->bridge ) )->validate( $input, Settings::connection() );
		if ( ! empty( $result['errors'] ) ) {
			unset( $input['api_key'] );
			Flash::set(
				'error',
				__( 'Nothing was saved. Correct the fields below and save again.', 'mirakl-connector-for-woocommerce' ),
				array(
					'errors' => $result['errors'],
					'values' => $input,
				)
			);
			return false;
		}
		$connection_changed = $result['connection'] !== Settings::connection();
		Settings::save( $result['connection'], $result['sync'], $result['shop'] );
		$this->bridge->reset();
		if ( $connection_changed ) {
			delete_option( ConnectionCheck::OPTION );
		}
		Flash::set(
			'success',
			$connection_changed && ! empty( $result['connection'] )
				? __( 'Settings saved. Use "Test connection" to check the new connection.', 'mirakl-connector-for-woocommerce' )
				: __( 'Settings saved.', 'mirakl-connector-for-woocommerce' )
		);
		return true;
	}

	/**
	 * admin-post: tests the stored connection.
	 */
	public function on_test_connection(): void {
		Guard::authorize( self::ACTION_TEST_CONNECTION );
		$this->test_connection();
		Guard::redirect( self::url( 'mirakl-section-connection' ) );
	}

	/**
	 * Tests the connection and leaves the outcome as a flash message.
	 */
	public function test_connection(): array {
		$result = ( new ConnectionCheck( $this->bridge ) )->run();
		if ( $result['ok'] ) {
			Flash::set(
				'success',
				sprintf(
					/* translators: 1: shop name, 2: shop id, 3: shop state such as OPEN */
					__( 'Connected to Mirakl: shop "%1$s" (id %2$s), state %3$s.', 'mirakl-connector-for-woocommerce' ),
					'' !== $result['shop_name'] ? $result['shop_name'] : '?',
					(string) ( $result['shop_id'] ?? '?' ),
					'' !== $result['shop_state'] ? $result['shop_state'] : '?'
				)
			);
		} else {
			Flash::set( 'error', $result['message'] );
		}
		return $result;
	}

	/**
	 * admin-post: refreshes the Mirakl carriers.
	 */
	public function on_refresh_carriers(): void {
		Guard::authorize( self::ACTION_REFRESH_CARRIERS );
		$this->refresh_carriers();
		Guard::redirect( self::url( 'mirakl-section-shipping' ) );
	}

	/**
	 * Reads SH21 again now (within its daily budget).
	 */
	public function refresh_carriers(): void {
		$carriers = $this->reader->refresh_carriers();
		if ( ! is_array( $carriers ) ) {
			Flash::set( 'error', __( 'The carriers could not be read from Mirakl:', 'mirakl-connector-for-woocommerce' ) . ' ' . (string) $this->reader->last_error() );
			return;
		}
		Flash::set(
			'success',
			sprintf(
				/* translators: %d: number of carriers */
				_n( '%d Mirakl carrier read.', '%d Mirakl carriers read.', count( $carriers ), 'mirakl-connector-for-woocommerce' ),
				count( $carriers )
			)
		);
	}

	/**
	 * The form's values: typed ones after a refused save, else the stored ones.
	 *
	 * @param array|null $typed Values from a refused save.
	 */
	private function values( ?array $typed ): array {
		$connection = Settings::connection();
		$shop       = Settings::shop();
		$sync       = Settings::sync();
		try {
			$sync = $this->bridge->validate_sync_settings( $sync );
		} catch ( \Throwable $e ) {
			$sync = array_merge( $this->defaults_or_empty(), $sync );
		}
		$stored = array(
			'api_url'                         => $connection['api_url'],
			'shop_id'                         => $connection['shop_id'],
			'connect_timeout'                 => $connection['connect_timeout'],
			'timeout'                         => $connection['timeout'],
			'max_response_mib'                => $connection['max_response_mib'],
			'max_export_mib'                  => $connection['max_export_mib'],
			'allowed_hosts'                   => implode( ', ', array_map( 'strval', (array) $connection['allowed_hosts'] ) ),
			'stock_buffer'                    => $sync['stock_buffer'] ?? 0,
			'low_stock_threshold'             => $sync['low_stock_threshold'] ?? 2,
			'stock_push_interval_secs'        => $sync['stock_push_interval_secs'] ?? 300,
			'listed_product_types'            => $shop['listed_product_types'],
			'product_id_type'                 => $sync['product_id_type'] ?? 'SHOP_SKU',
			'product_reference_meta'          => $shop['product_reference_meta'],
			'marketplace_name'                => $shop['marketplace_name'],
			'acceptance_window_hours'         => $sync['acceptance_window_hours'] ?? 72,
			'acceptance_warning_percents'     => implode( ', ', array_map( static fn ( $f ) => (string) round( (float) $f * 100, 2 ), (array) ( $sync['acceptance_warning_fractions'] ?? array( 0.5, 0.8 ) ) ) ),
			'unknown_sku_policy'              => $sync['unknown_sku_policy'] ?? 'hold',
			'short_stock_policy'              => $sync['short_stock_policy'] ?? 'refuse',
			'partial_acceptance'              => $sync['partial_acceptance'] ?? true,
			'max_order_lines'                 => $sync['max_order_lines'] ?? 500,
			'payload_retention_days'          => $sync['payload_retention_days'] ?? 30,
			'status_mapping'                  => (array) ( $sync['status_mapping'] ?? array() ),
			'order_tax_mode'                  => $sync['order_tax_mode'] ?? 'TAX_INCLUDED',
			'operator_fulfillment_centers'    => implode( ', ', array_map( 'strval', (array) ( $sync['operator_fulfillment_centers'] ?? array() ) ) ),
			'operator_fulfilled_stock'        => $sync['operator_fulfilled_stock'] ?? 'keep',
			'send_customer_emails'            => $shop['send_customer_emails'],
			'shipped_status'                  => $shop['shipped_status'],
			'shipping_deadline_warning_hours' => $sync['shipping_deadline_warning_hours'] ?? 12,
			'country_label_map'               => (array) ( $sync['country_label_map'] ?? array() ),
			'shipping_method_map'             => (array) ( $sync['shipping_method_map'] ?? array() ),
			'custom_field_meta_map'           => (array) ( $sync['custom_field_meta_map'] ?? array() ),
			'carrier_names'                   => array_map( 'strval', array_keys( (array) ( $sync['carrier_map'] ?? array() ) ) ),
			'carrier_codes'                   => array_values( (array) ( $sync['carrier_map'] ?? array() ) ),
			'allow_free_text_carriers'        => $sync['allow_free_text_carriers'] ?? false,
			'use_shipments_api'               => $sync['use_shipments_api'] ?? true,
			'refund_reason_code'              => $sync['refund_reason_code'] ?? '',
			'alert_recipients'                => implode( ', ', (array) $shop['alert_recipients'] ),
			'alert_kinds'                     => (array) $shop['alert_kinds'],
		);
		if ( null === $typed ) {
			return $stored;
		}
		// Checkboxes left unticked are absent from a post.
		foreach ( array( 'partial_acceptance', 'send_customer_emails', 'allow_free_text_carriers', 'use_shipments_api' ) as $box ) {
			$typed[ $box ] = ! empty( $typed[ $box ] );
		}
		foreach ( array( 'listed_product_types', 'alert_kinds', 'status_mapping', 'carrier_names', 'carrier_codes' ) as $list ) {
			$typed[ $list ] = (array) ( $typed[ $list ] ?? array() );
		}
		// A form sent back with errors shows the pairs as they were typed.
		foreach ( array( 'country_label_map', 'shipping_method_map', 'custom_field_meta_map' ) as $pairs ) {
			if ( isset( $typed[ $pairs . '_keys' ] ) ) {
				$typed[ $pairs ] = SettingsForm::typed_pairs( $typed, $pairs );
			}
		}
		return array_merge( $stored, $typed );
	}

	/**
	 * Core defaults when the core is there, else nothing.
	 */
	private function defaults_or_empty(): array {
		try {
			return $this->bridge->validate_sync_settings( array() );
		} catch ( \Throwable $e ) {
			return array();
		}
	}

	/**
	 * Prints the page.
	 */
	public function render(): void {
		if ( ! current_user_can( Guard::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to change the Mirakl connector.', 'mirakl-connector-for-woocommerce' ), '', array( 'response' => 403 ) );
		}
		$flash  = Flash::take();
		$errors = is_array( $flash['errors'] ?? null ) ? $flash['errors'] : array();
		$values = $this->values( is_array( $flash['values'] ?? null ) ? $flash['values'] : null );
		$field  = new FieldRenderer( $values, $errors );

		$sections = array(
			'connection' => __( 'Connection', 'mirakl-connector-for-woocommerce' ),
			'stock'      => __( 'Stock', 'mirakl-connector-for-woocommerce' ),
			'offers'     => __( 'Offers', 'mirakl-connector-for-woocommerce' ),
			'orders'     => __( 'Orders', 'mirakl-connector-for-woocommerce' ),
			'shipping'   => __( 'Shipping', 'mirakl-connector-for-woocommerce' ),
			'refunds'    => __( 'Refunds', 'mirakl-connector-for-woocommerce' ),
			'alerts'     => __( 'Alerts', 'mirakl-connector-for-woocommerce' ),
		);
		$this->connection_section( $field, $sections['connection'] );
		$this->stock_section( $field, $sections['stock'] );
		$this->offers_section( $field, $sections['offers'] );
		$this->orders_section( $field, $sections['orders'], $values );
		$this->shipping_section( $field, $sections['shipping'], $values );
		$this->refunds_section( $field, $sections['refunds'] );
		$this->alerts_section( $field, $sections['alerts'] );

		View::render(
			'html-admin-settings',
			array(
				'flash'    => $flash,
				'tabs'     => $sections,
				'sections' => $field->sections(),
				'save'     => self::ACTION_SAVE,
				// Forms of their own (forms cannot nest); their buttons sit in the sections via form="...".
				'forms'    => array( self::ACTION_TEST_CONNECTION, self::ACTION_REFRESH_CARRIERS ),
			)
		);
	}

	/**
	 * Connection fields, the masked key and the test button.
	 *
	 * @param FieldRenderer $field Field renderer.
	 * @param string        $title Section title.
	 */
	private function connection_section( FieldRenderer $field, string $title ): void {
		$intro = __( 'Where your Mirakl shop API is and the key it accepts. The key is stored privately and never shown again.', 'mirakl-connector-for-woocommerce' );
		if ( ! current_user_can( 'manage_options' ) ) {
			$intro .= ' ' . __( 'Only an administrator can change the connection: what you type in this section is not saved.', 'mirakl-connector-for-woocommerce' );
		}
		$field->section( 'connection', $title, $intro );
		$field->text( 'api_url', __( 'API URL', 'mirakl-connector-for-woocommerce' ), __( 'The operator\'s shop API address, such as https://marketplace.example.com/api (https is required; loopback, private and link-local addresses are refused unless wp-config.php turns on the development mode). Changing the host needs the API key again: the stored key is never sent to another host.', 'mirakl-connector-for-woocommerce' ), array( 'type' => 'url', 'placeholder' => 'https://' ) );
		$field->secret( 'api_key', __( 'API key', 'mirakl-connector-for-woocommerce' ), Settings::is_connected() || '' !== (string) Settings::connection()['api_key'] );
		$field->text( 'shop_id', __( 'Shop id', 'mirakl-connector-for-woocommerce' ), __( 'Only needed when the key gives access to several shops.', 'mirakl-connector-for-woocommerce' ), array( 'inputmode' => 'numeric', 'class' => 'small-text' ) );
		$field->number( 'connect_timeout', __( 'Connect timeout', 'mirakl-connector-for-woocommerce' ), __( 'seconds (1–60)', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'timeout', __( 'Request timeout', 'mirakl-connector-for-woocommerce' ), __( 'seconds (5–300)', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'max_response_mib', __( 'Largest answer', 'mirakl-connector-for-woocommerce' ), __( 'MiB a Mirakl answer (orders, ledger) may have once unzipped; a larger one is refused and the call fails (1–256)', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'max_export_mib', __( 'Largest export', 'mirakl-connector-for-woocommerce' ), __( 'MiB an offer or error report export (CSV) may have once unzipped (1–1024)', 'mirakl-connector-for-woocommerce' ) );
		$field->text( 'allowed_hosts', __( 'Allowed API hosts', 'mirakl-connector-for-woocommerce' ), __( 'Optional: the only hosts the API key may be sent to, separated by commas, such as acme.mirakl.net or *.mirakl.net for its subdomains. Empty: any https host the rules allow.', 'mirakl-connector-for-woocommerce' ), array( 'class' => 'regular-text' ) );

		$field->after( 'settings/html-connection-test', array( 'last' => ConnectionCheck::last() ) );
	}

	/**
	 * Stock fields.
	 *
	 * @param FieldRenderer $field Field renderer.
	 * @param string        $title Section title.
	 */
	private function stock_section( FieldRenderer $field, string $title ): void {
		$field->section( 'stock', $title, __( 'How much of your WooCommerce stock the marketplace sees, and how fast.', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'stock_buffer', __( 'Stock buffer', 'mirakl-connector-for-woocommerce' ), __( 'units per SKU kept back from the marketplace', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'low_stock_threshold', __( 'Low-stock fast lane', 'mirakl-connector-for-woocommerce' ), __( 'a SKU at or below this many units is pushed in the next minute', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'stock_push_interval_secs', __( 'Stock push interval', 'mirakl-connector-for-woocommerce' ), __( 'seconds; other stock changes are grouped and pushed within this time (60–86400)', 'mirakl-connector-for-woocommerce' ) );
		$field->checkboxes(
			'listed_product_types',
			__( 'Product types listed', 'mirakl-connector-for-woocommerce' ),
			array(
				'simple'   => __( 'Simple products', 'mirakl-connector-for-woocommerce' ),
				'variable' => __( 'Variations of variable products', 'mirakl-connector-for-woocommerce' ),
			)
		);
	}

	/**
	 * Offer fields.
	 *
	 * @param FieldRenderer $field Field renderer.
	 * @param string        $title Section title.
	 */
	private function offers_section( FieldRenderer $field, string $title ): void {
		$field->section( 'offers', $title, __( 'How Mirakl recognises your products.', 'mirakl-connector-for-woocommerce' ) );
		$field->select(
			'product_id_type',
			__( 'Product id type', 'mirakl-connector-for-woocommerce' ),
			array(
				'SHOP_SKU' => __( 'SHOP_SKU — the SKU itself', 'mirakl-connector-for-woocommerce' ),
				'EAN'      => 'EAN',
				'UPC'      => 'UPC',
				'ISBN'     => 'ISBN',
				'MPN'      => 'MPN',
			),
			__( 'What the operator matches your offers on.', 'mirakl-connector-for-woocommerce' )
		);
		$field->text( 'product_reference_meta', __( 'Product identifier field', 'mirakl-connector-for-woocommerce' ), __( 'The product meta key that holds the EAN (or the identifier chosen above), such as _ean or _global_unique_id. Leave empty when you list by SKU.', 'mirakl-connector-for-woocommerce' ), array( 'class' => 'regular-text' ) );
	}

	/**
	 * Order fields.
	 *
	 * @param FieldRenderer $field  Field renderer.
	 * @param string        $title  Section title.
	 * @param array         $values Form values.
	 */
	private function orders_section( FieldRenderer $field, string $title, array $values ): void {
		$field->section( 'orders', $title, __( 'Marketplace orders are created in WooCommerce and accepted at once. These settings decide what happens when that is not possible.', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'acceptance_window_hours', __( 'Acceptance window', 'mirakl-connector-for-woocommerce' ), __( 'hours the operator gives you to accept an order before cancelling it (1–720)', 'mirakl-connector-for-woocommerce' ) );
		$field->text( 'acceptance_warning_percents', __( 'Acceptance warnings', 'mirakl-connector-for-woocommerce' ), __( 'warn when an order still waits after these percentages of the window, such as "50, 80"', 'mirakl-connector-for-woocommerce' ), array( 'class' => 'mirakl-medium-text', 'error_key' => 'acceptance_warning_fractions' ) );
		$policies = array(
			'hold'   => __( 'Hold the order and alert me (I decide before the deadline)', 'mirakl-connector-for-woocommerce' ),
			'refuse' => __( 'Refuse the lines at once', 'mirakl-connector-for-woocommerce' ),
		);
		$field->select( 'unknown_sku_policy', __( 'Unknown SKU', 'mirakl-connector-for-woocommerce' ), $policies, __( 'A line whose SKU WooCommerce does not have.', 'mirakl-connector-for-woocommerce' ) );
		$field->select( 'short_stock_policy', __( 'Short stock', 'mirakl-connector-for-woocommerce' ), $policies, __( 'A line WooCommerce does not have enough stock for.', 'mirakl-connector-for-woocommerce' ) );
		$field->checkbox( 'partial_acceptance', __( 'Partial acceptance', 'mirakl-connector-for-woocommerce' ), __( 'The operator lets me accept some lines of an order and refuse others.', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'max_order_lines', __( 'Most lines per order', 'mirakl-connector-for-woocommerce' ), __( 'an order with more lines is held for you to check, neither accepted nor created (1–10000)', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'payload_retention_days', __( 'Order data kept', 'mirakl-connector-for-woocommerce' ), __( 'days the connector keeps its copy of a marketplace order (buyer names, addresses, phones) after it is done with it; then the copy is erased, the order stays in WooCommerce (1–3650)', 'mirakl-connector-for-woocommerce' ) );
		$field->select(
			'order_tax_mode',
			__( 'Prices in orders', 'mirakl-connector-for-woocommerce' ),
			array(
				'TAX_INCLUDED' => __( 'Include tax', 'mirakl-connector-for-woocommerce' ),
				'TAX_EXCLUDED' => __( 'Exclude tax', 'mirakl-connector-for-woocommerce' ),
			)
		);
		$field->text( 'operator_fulfillment_centers', __( 'Operator fulfillment centers', 'mirakl-connector-for-woocommerce' ), __( 'Mirakl fulfillment center codes the operator ships from, such as "OPERATOR-DC1" (comma-separated). Those orders get no shipment from WooCommerce; leave empty when you ship every order.', 'mirakl-connector-for-woocommerce' ), array( 'class' => 'mirakl-medium-text' ) );
		$field->select(
			'operator_fulfilled_stock',
			__( 'Stock of operator-fulfilled orders', 'mirakl-connector-for-woocommerce' ),
			array(
				'keep'   => __( 'Keep WooCommerce stock (the goods are in the operator\'s warehouse)', 'mirakl-connector-for-woocommerce' ),
				'reduce' => __( 'Reduce WooCommerce stock (one stock shared with the operator)', 'mirakl-connector-for-woocommerce' ),
			)
		);
		$field->text( 'marketplace_name', __( 'Marketplace name', 'mirakl-connector-for-woocommerce' ), __( 'Shown on marketplace orders as their payment method, "Mirakl (name)".', 'mirakl-connector-for-woocommerce' ) );
		$field->checkbox( 'send_customer_emails', __( 'Customer e-mails', 'mirakl-connector-for-woocommerce' ), __( 'Send WooCommerce\'s customer e-mails for marketplace orders (most operators e-mail their customers themselves).', 'mirakl-connector-for-woocommerce' ) );
		$statuses = array( '' => __( '— no change —', 'mirakl-connector-for-woocommerce' ) );
		foreach ( SettingsForm::order_statuses() as $slug => $label ) {
			$statuses[ preg_replace( '/^wc-/', '', $slug ) ] = $label;
		}
		$field->mapping( 'status_mapping', __( 'Status mapping', 'mirakl-connector-for-woocommerce' ), Settings::ORDER_STATES, $statuses, __( 'The WooCommerce status an order takes when Mirakl reports this state. Cancelled and refused orders are always cancelled and restocked.', 'mirakl-connector-for-woocommerce' ) );
		$field->pairs(
			'country_label_map',
			__( 'Country label mapping', 'mirakl-connector-for-woocommerce' ),
			(array) ( $values['country_label_map'] ?? array() ),
			array(
				'key_label'         => __( 'Country as the marketplace writes it', 'mirakl-connector-for-woocommerce' ),
				'value_label'       => __( 'Country code (ISO, two letters)', 'mirakl-connector-for-woocommerce' ),
				'key_placeholder'   => __( 'e.g. Metropole & Corse', 'mirakl-connector-for-woocommerce' ),
				'value_placeholder' => 'FR',
				'add_label'         => __( 'Add a country label', 'mirakl-connector-for-woocommerce' ),
			),
			__( 'Country codes and the names of every country in English, French, German, Spanish, Italian, Dutch, Polish and Portuguese are recognised by themselves. Map here the other labels your marketplace sends: an order whose country is not recognised is held, neither accepted nor created, until its label is mapped (then Retry it on the dashboard).', 'mirakl-connector-for-woocommerce' )
		);
	}

	/**
	 * Shipping fields and the carrier table.
	 *
	 * @param FieldRenderer $field  Field renderer.
	 * @param string        $title  Section title.
	 * @param array         $values Form values.
	 */
	private function shipping_section( FieldRenderer $field, string $title, array $values ): void {
		$field->section( 'shipping', $title, __( 'When an order is shipped in WooCommerce, its tracking goes to Mirakl with the Mirakl carrier mapped here.', 'mirakl-connector-for-woocommerce' ) );
		$statuses = array();
		foreach ( SettingsForm::order_statuses() as $slug => $label ) {
			$statuses[ preg_replace( '/^wc-/', '', $slug ) ] = $label;
		}
		$field->select( 'shipped_status', __( 'Shipped status', 'mirakl-connector-for-woocommerce' ), $statuses, __( 'The WooCommerce status that means "shipped": reaching it sends the tracking and marks the order shipped on Mirakl.', 'mirakl-connector-for-woocommerce' ) );
		$field->number( 'shipping_deadline_warning_hours', __( 'Shipping deadline warning', 'mirakl-connector-for-woocommerce' ), __( 'hours before an order\'s shipping deadline to warn', 'mirakl-connector-for-woocommerce' ) );

		$field->pairs(
			'shipping_method_map',
			__( 'Shipping methods', 'mirakl-connector-for-woocommerce' ),
			(array) ( $values['shipping_method_map'] ?? array() ),
			array(
				'key_label'         => __( 'Mirakl shipping type code', 'mirakl-connector-for-woocommerce' ),
				'value_label'       => __( 'WooCommerce shipping method id', 'mirakl-connector-for-woocommerce' ),
				'key_placeholder'   => __( 'e.g. EXPRESS', 'mirakl-connector-for-woocommerce' ),
				'value_placeholder' => __( 'e.g. flat_rate', 'mirakl-connector-for-woocommerce' ),
				'add_label'         => __( 'Add a shipping type', 'mirakl-connector-for-woocommerce' ),
			),
			__( 'An order\'s shipping line is named after its Mirakl shipping type (Standard, Express...) and keeps the type and zone codes. Map a type here to book it under one of your own shipping methods.', 'mirakl-connector-for-woocommerce' )
		);
		$field->pairs(
			'custom_field_meta_map',
			__( 'Custom fields as meta', 'mirakl-connector-for-woocommerce' ),
			(array) ( $values['custom_field_meta_map'] ?? array() ),
			array(
				'key_label'         => __( 'Mirakl custom field code', 'mirakl-connector-for-woocommerce' ),
				'value_label'       => __( 'Meta key', 'mirakl-connector-for-woocommerce' ),
				'key_placeholder'   => __( 'e.g. gift-message', 'mirakl-connector-for-woocommerce' ),
				'value_placeholder' => __( 'e.g. gift_message', 'mirakl-connector-for-woocommerce' ),
				'add_label'         => __( 'Add a custom field', 'mirakl-connector-for-woocommerce' ),
			),
			__( 'Mirakl custom fields are kept on the order and its lines and shown in the order\'s Mirakl box. Map a field here to also write it under a meta key of your own (for a gift-message or invoicing plugin); keys WooCommerce or the connector use are refused.', 'mirakl-connector-for-woocommerce' )
		);

		$carriers = $this->reader->carriers();
		$field->carrier_table( $carriers, (array) $values['carrier_names'], (array) $values['carrier_codes'] );
		$field->checkbox( 'allow_free_text_carriers', __( 'Free-text carriers', 'mirakl-connector-for-woocommerce' ), __( 'Send a carrier that is not mapped by its name. Off: an unmapped carrier stops the shipment and shows on the dashboard (safer: operators reject unknown carriers).', 'mirakl-connector-for-woocommerce' ) );
		$field->checkbox( 'use_shipments_api', __( 'Shipments API', 'mirakl-connector-for-woocommerce' ), __( 'Use Mirakl\'s multi-shipment API when the operator has it.', 'mirakl-connector-for-woocommerce' ) );
	}

	/**
	 * Refund fields.
	 *
	 * @param FieldRenderer $field Field renderer.
	 * @param string        $title Section title.
	 */
	private function refunds_section( FieldRenderer $field, string $title ): void {
		$field->section( 'refunds', $title, __( 'A WooCommerce refund on a marketplace order becomes one Mirakl refund with this reason.', 'mirakl-connector-for-woocommerce' ) );
		$reasons = $this->reader->refund_reasons();
		if ( ! empty( $reasons ) ) {
			$options = array( '' => __( '— choose a reason —', 'mirakl-connector-for-woocommerce' ) );
			foreach ( $reasons as $reason ) {
				$code             = is_array( $reason ) ? (string) ( $reason['code'] ?? '' ) : (string) $reason;
				$label            = is_array( $reason ) && ! empty( $reason['label'] ) ? $code . ' — ' . (string) $reason['label'] : $code;
				$options[ $code ] = $label;
			}
			$field->select( 'refund_reason_code', __( 'Refund reason code', 'mirakl-connector-for-woocommerce' ), $options, __( 'From the operator\'s refund reasons (RE01), read on each daily sync.', 'mirakl-connector-for-woocommerce' ) );
		} else {
			$field->text( 'refund_reason_code', __( 'Refund reason code', 'mirakl-connector-for-woocommerce' ), __( 'The operator\'s REFUND reason code (RE01), as listed in the Mirakl back office.', 'mirakl-connector-for-woocommerce' ), array( 'class' => 'small-text' ) );
		}
	}

	/**
	 * Alert fields.
	 *
	 * @param FieldRenderer $field Field renderer.
	 * @param string        $title Section title.
	 */
	private function alerts_section( FieldRenderer $field, string $title ): void {
		$field->section( 'alerts', $title, __( 'Who is told, by e-mail, about problems that need a person. Critical problems also show as notices in wp-admin.', 'mirakl-connector-for-woocommerce' ) );
		$field->text( 'alert_recipients', __( 'Alert recipients', 'mirakl-connector-for-woocommerce' ), __( 'E-mail addresses, separated by commas. Empty: no e-mail.', 'mirakl-connector-for-woocommerce' ), array( 'class' => 'large-text' ) );
		$field->checkboxes( 'alert_kinds', __( 'Alerts mailed', 'mirakl-connector-for-woocommerce' ), ProblemKinds::labels(), 'mirakl-kinds' );
	}
}
