<?php
/**
 * Turns the settings form's input into the three stored settings, or into a list of errors.
 * Every value is checked (the core checks the connection and sync settings, this class the
 * form's shape and the shop-side settings); the caller saves only when there is no error, so a
 * form is never saved half.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Settings form validation.
 */
class SettingsForm {

	/**
	 * The native bridge (its validators are the source of truth).
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->bridge = $bridge;
	}

	/**
	 * Human labels of the fields, for error messages.
	 *
	 * @return array<string, string>
	 */
	public static function field_labels(): array {
		return array(
			'api_url'                         => __( 'API URL', 'mirakl-connector-for-woocommerce' ),
			'api_key'                         => __( 'API key', 'mirakl-connector-for-woocommerce' ),
			'shop_id'                         => __( 'Shop id', 'mirakl-connector-for-woocommerce' ),
			'connect_timeout'                 => __( 'Connect timeout', 'mirakl-connector-for-woocommerce' ),
			'timeout'                         => __( 'Request timeout', 'mirakl-connector-for-woocommerce' ),
			'max_response_mib'                => __( 'Largest answer', 'mirakl-connector-for-woocommerce' ),
			'max_export_mib'                  => __( 'Largest export', 'mirakl-connector-for-woocommerce' ),
			'allowed_hosts'                   => __( 'Allowed API hosts', 'mirakl-connector-for-woocommerce' ),
			'payload_retention_days'          => __( 'Order data kept', 'mirakl-connector-for-woocommerce' ),
			'stock_buffer'                    => __( 'Stock buffer', 'mirakl-connector-for-woocommerce' ),
			'low_stock_threshold'             => __( 'Low-stock fast lane', 'mirakl-connector-for-woocommerce' ),
			'stock_push_interval_secs'        => __( 'Stock push interval', 'mirakl-connector-for-woocommerce' ),
			'listed_product_types'            => __( 'Product types listed', 'mirakl-connector-for-woocommerce' ),
			'product_id_type'                 => __( 'Product id type', 'mirakl-connector-for-woocommerce' ),
			'product_reference_meta'          => __( 'Product identifier field', 'mirakl-connector-for-woocommerce' ),
			'acceptance_window_hours'         => __( 'Acceptance window', 'mirakl-connector-for-woocommerce' ),
			'acceptance_warning_fractions'    => __( 'Acceptance warnings', 'mirakl-connector-for-woocommerce' ),
			'unknown_sku_policy'              => __( 'Unknown SKU', 'mirakl-connector-for-woocommerce' ),
			'short_stock_policy'              => __( 'Short stock', 'mirakl-connector-for-woocommerce' ),
			'partial_acceptance'              => __( 'Partial acceptance', 'mirakl-connector-for-woocommerce' ),
			'status_mapping'                  => __( 'Status mapping', 'mirakl-connector-for-woocommerce' ),
			'order_tax_mode'                  => __( 'Prices in orders', 'mirakl-connector-for-woocommerce' ),
			'operator_fulfillment_centers'    => __( 'Operator fulfillment centers', 'mirakl-connector-for-woocommerce' ),
			'operator_fulfilled_stock'        => __( 'Stock of operator-fulfilled orders', 'mirakl-connector-for-woocommerce' ),
			'send_customer_emails'            => __( 'Customer e-mails', 'mirakl-connector-for-woocommerce' ),
			'marketplace_name'                => __( 'Marketplace name', 'mirakl-connector-for-woocommerce' ),
			'shipped_status'                  => __( 'Shipped status', 'mirakl-connector-for-woocommerce' ),
			'shipping_deadline_warning_hours' => __( 'Shipping deadline warning', 'mirakl-connector-for-woocommerce' ),
			'max_order_lines'                 => __( 'Most lines per order', 'mirakl-connector-for-woocommerce' ),
			'carrier_map'                     => __( 'Carrier mapping', 'mirakl-connector-for-woocommerce' ),
			'country_label_map'               => __( 'Country label mapping', 'mirakl-connector-for-woocommerce' ),
			'shipping_method_map'             => __( 'Shipping methods', 'mirakl-connector-for-woocommerce' ),
			'custom_field_meta_map'           => __( 'Custom fields as meta', 'mirakl-connector-for-woocommerce' ),
			'allow_free_text_carriers'        => __( 'Free-text carriers', 'mirakl-connector-for-woocommerce' ),
			'use_shipments_api'               => __( 'Shipments API', 'mirakl-connector-for-woocommerce' ),
			'refund_reason_code'              => __( 'Refund reason code', 'mirakl-connector-for-woocommerce' ),
			'alert_recipients'                => __( 'Alert recipients', 'mirakl-connector-for-woocommerce' ),
			'alert_kinds'                     => __( 'Alerts mailed', 'mirakl-connector-for-woocommerce' ),
			'settings'                        => __( 'Settings', 'mirakl-connector-for-woocommerce' ),
		);
	}

	/**
	 * Validates the form.
	 *
	 * @param array $input             The form's `mirakl` array, unslashed.
	 * @param array $stored_connection The connection stored now (its API key is kept when the
	 *                                 form leaves the key empty).
	 * @return array{connection: array, sync: array, shop: array, errors: array<string, string>}
	 */
	public function validate( array $input, array $stored_connection ): array {
		$errors = array();

		$connection = $this->connection( $input, $stored_connection, $errors );
		$sync       = $this->sync( $input, $errors );
		$shop       = $this->shop( $input, $errors );

		return array(
			'connection' => $connection,
			'sync'       => $sync,
			'shop'       => $shop,
			'errors'     => $errors,
		);
	}

	/**
	 * The connection part. Empty URL and key (and none stored) mean "not connected yet".
	 *
	 * @param array $input  Form input.
	 * @param array $stored Stored connection.
	 * @param array $errors Errors, by field (added to).
	 */
	private function connection( array $input, array $stored, array &$errors ): array {
		$url     = self::text( $input['api_url'] ?? '' );
		$new_key = trim( (string) ( $input['api_key'] ?? '' ) );
		$key     = '' !== $new_key ? $new_key : (string) ( $stored['api_key'] ?? '' );
		$shop_id = self::text( $input['shop_id'] ?? '' );
		$raw     = array(
			'api_url' => $url,
			'api_key' => $key,
		);
		if ( '' === $url && '' === $key && '' === $shop_id ) {
			return array();
		}
		if ( '' !== $shop_id ) {
			$raw['shop_id'] = $shop_id;
		}
		foreach ( array( 'connect_timeout', 'timeout', 'max_response_mib', 'max_export_mib' ) as $field ) {
			$value = self::whole_number( $input[ $field ] ?? '', $field, $errors );
			if ( null !== $value ) {
				$raw[ $field ] = $value;
			}
		}
		// Typed as names separated by commas or spaces; the core reads and checks the list.
		$raw['allowed_hosts'] = self::text( is_array( $input['allowed_hosts'] ?? null ) ? implode( ', ', array_map( 'strval', $input['allowed_hosts'] ) ) : ( $input['allowed_hosts'] ?? '' ) );
		try {
			$normalised = $this->bridge->validate_settings( $raw );
		} catch ( \MiraklConnector\Native\NativeException $e ) {
			self::add_native_error( $e->getMessage(), $errors );
			return array();
		}
		// Checked once the URL itself is valid (a bad URL is named first): the stored key is
		// never kept for another host, or whoever can edit the URL could have it sent to a
		// server of their choosing.
		if ( '' === $new_key && '' !== $key && self::host_changed( (string) ( $stored['api_url'] ?? '' ), (string) $normalised['api_url'] ) ) {
			$errors['api_key'] = __( 'The API URL points at a new host, so the stored API key is not kept: enter the API key for the new host.', 'mirakl-connector-for-woocommerce' );
			return array();
		}
		return array(
			'api_url'         => (string) $normalised['api_url'],
			'api_key'         => (string) $normalised['api_key'],
			'shop_id'         => null === $normalised['shop_id'] ? '' : (string) $normalised['shop_id'],
			'connect_timeout'  => (int) $normalised['connect_timeout_secs'],
			'timeout'          => (int) $normalised['timeout_secs'],
			// The core leaves out the caps that are at its defaults.
			'max_response_mib' => (int) ( $normalised['max_response_mib'] ?? Settings::CONNECTION_DEFAULTS['max_response_mib'] ),
			'max_export_mib'   => (int) ( $normalised['max_export_mib'] ?? Settings::CONNECTION_DEFAULTS['max_export_mib'] ),
			'allowed_hosts'    => array_values( array_map( 'strval', (array) ( $normalised['allowed_hosts'] ?? array() ) ) ),
		);
	}

	/**
	 * Whether the new URL names another host (or port, or scheme) than the stored one.
	 *
	 * @param string $stored_url The stored API URL ('' when none).
	 * @param string $new_url    The URL from the form.
	 */
	private static function host_changed( string $stored_url, string $new_url ): bool {
		if ( '' === $stored_url ) {
			return false;
		}
		$origin = static function ( string $url ): string {
			$parts = wp_parse_url( trim( $url ) );
			if ( ! is_array( $parts ) ) {
				return '';
			}
			return strtolower( ( $parts['scheme'] ?? '' ) . '://' . ( $parts['host'] ?? '' ) . ':' . ( $parts['port'] ?? '' ) );
		};
		return $origin( $stored_url ) !== $origin( $new_url );
	}

	/**
	 * The sync part, checked by the core.
	 *
	 * @param array $input  Form input.
	 * @param array $errors Errors, by field (added to).
	 */
	private function sync( array $input, array &$errors ): array {
		// Keys the form does not show (poll intervals) keep their stored values.
		$raw = Settings::sync();
		foreach ( array( 'stock_buffer', 'low_stock_threshold', 'stock_push_interval_secs', 'acceptance_window_hours', 'shipping_deadline_warning_hours', 'max_order_lines', 'payload_retention_days' ) as $field ) {
			$value = self::whole_number( $input[ $field ] ?? '', $field, $errors );
			if ( null !== $value ) {
				$raw[ $field ] = $value;
			}
		}
		$raw['product_id_type'] = strtoupper( self::text( $input['product_id_type'] ?? '' ) );
		if ( '' === $raw['product_id_type'] ) {
			$errors['product_id_type'] = __( 'Product id type: choose how Mirakl identifies your products (SHOP_SKU, EAN, ...).', 'mirakl-connector-for-woocommerce' );
		}

		// Percentages of the window, typed as "50, 80".
		$fractions = array();
		foreach ( preg_split( '/[\s,;]+/', self::text( $input['acceptance_warning_percents'] ?? '' ), -1, PREG_SPLIT_NO_EMPTY ) as $percent ) {
			if ( ! is_numeric( $percent ) || (float) $percent <= 0 || (float) $percent >= 100 ) {
				$errors['acceptance_warning_fractions'] = __( 'Acceptance warnings: give percentages of the window between 1 and 99, such as "50, 80".', 'mirakl-connector-for-woocommerce' );
				break;
			}
			$fractions[] = round( (float) $percent / 100, 4 );
		}
		if ( empty( $fractions ) && ! isset( $errors['acceptance_warning_fractions'] ) ) {
			$errors['acceptance_warning_fractions'] = __( 'Acceptance warnings: give at least one percentage of the window, such as "50, 80".', 'mirakl-connector-for-woocommerce' );
		}
		sort( $fractions );
		$raw['acceptance_warning_fractions'] = array_values( array_unique( $fractions, SORT_REGULAR ) );

		foreach ( array( 'unknown_sku_policy', 'short_stock_policy' ) as $field ) {
			$policy = self::text( $input[ $field ] ?? '' );
			if ( ! in_array( $policy, array( 'hold', 'refuse' ), true ) ) {
				$errors[ $field ] = sprintf(
					/* translators: %s: field label */
					__( '%s: choose hold or refuse.', 'mirakl-connector-for-woocommerce' ),
					self::field_labels()[ $field ]
				);
				continue;
			}
			$raw[ $field ] = $policy;
		}
		$raw['partial_acceptance']       = ! empty( $input['partial_acceptance'] );
		$raw['allow_free_text_carriers'] = ! empty( $input['allow_free_text_carriers'] );
		$raw['use_shipments_api']        = ! empty( $input['use_shipments_api'] );
		$raw['refund_reason_code']       = self::text( $input['refund_reason_code'] ?? '' );
		$tax_mode                        = self::text( $input['order_tax_mode'] ?? 'TAX_INCLUDED' );
		$raw['order_tax_mode']           = '' === $tax_mode ? 'TAX_INCLUDED' : $tax_mode;

		$centers = array();
		foreach ( preg_split( '/[\s,;]+/', self::text( $input['operator_fulfillment_centers'] ?? '' ) ) ?: array() as $center ) {
			if ( '' === $center ) {
				continue;
			}
			if ( ! preg_match( '/^[A-Za-z0-9_.-]{1,64}$/', $center ) ) {
				$errors['operator_fulfillment_centers'] = sprintf(
					/* translators: %s: the center code that was given */
					__( 'Operator fulfillment centers: "%s" is not a fulfillment center code (letters, digits, "_", "-" and ".", up to 64).', 'mirakl-connector-for-woocommerce' ),
					$center
				);
				continue;
			}
			$centers[] = $center;
		}
		$raw['operator_fulfillment_centers'] = array_values( array_unique( $centers ) );
		$stock                               = self::text( $input['operator_fulfilled_stock'] ?? 'keep' );
		if ( ! in_array( $stock, array( 'keep', 'reduce' ), true ) ) {
			$errors['operator_fulfilled_stock'] = __( 'Stock of operator-fulfilled orders: choose keep or reduce.', 'mirakl-connector-for-woocommerce' );
		} else {
			$raw['operator_fulfilled_stock'] = $stock;
		}

		$mapping = array();
		foreach ( (array) ( $input['status_mapping'] ?? array() ) as $state => $status ) {
			$state  = strtoupper( self::text( $state ) );
			$status = self::text( $status );
			if ( '' === $status ) {
				continue; // "No change" for this state.
			}
			$status = preg_replace( '/^wc-/', '', $status );
			if ( ! preg_match( '/^[A-Z_]+$/', $state ) || ! preg_match( '/^[a-z0-9_-]+$/', $status ) ) {
				$errors['status_mapping'] = __( 'Status mapping: unknown state or status.', 'mirakl-connector-for-woocommerce' );
				continue;
			}
			$mapping[ $state ] = $status;
		}
		$raw['status_mapping'] = $mapping;

		$carriers = array();
		$names    = (array) ( $input['carrier_names'] ?? array() );
		$codes    = (array) ( $input['carrier_codes'] ?? array() );
		foreach ( $names as $index => $name ) {
			$name = self::text( $name );
			$code = self::text( $codes[ $index ] ?? '' );
			if ( '' === $name && '' === $code ) {
				continue; // An empty row of the table.
			}
			if ( '' === $name || '' === $code ) {
				$errors['carrier_map'] = sprintf(
					/* translators: %s: the carrier name or code that was given */
					__( 'Carrier mapping: the row "%s" needs both a WooCommerce carrier name and a Mirakl carrier.', 'mirakl-connector-for-woocommerce' ),
					'' === $name ? $code : $name
				);
				continue;
			}
			if ( isset( $carriers[ $name ] ) && $carriers[ $name ] !== $code ) {
				$errors['carrier_map'] = sprintf(
					/* translators: %s: carrier name */
					__( 'Carrier mapping: "%s" is mapped twice to different Mirakl carriers.', 'mirakl-connector-for-woocommerce' ),
					$name
				);
				continue;
			}
			$carriers[ $name ] = $code;
		}
		$raw['carrier_map'] = $carriers;

		$labels = array();
		foreach ( self::typed_pairs( $input, 'country_label_map' ) as $label => $code ) {
			$code = strtoupper( $code );
			if ( '' === $label || ! preg_match( '/^[A-Z]{2}$/', $code ) ) {
				$errors['country_label_map'] = sprintf(
					/* translators: %s: the country label or code that was given */
					__( 'Country label mapping: the row "%s" needs the label and a two-letter ISO country code (FR, DE, ES...).', 'mirakl-connector-for-woocommerce' ),
					'' === $label ? $code : $label
				);
				continue;
			}
			$labels[ $label ] = $code;
		}
		$raw['country_label_map'] = $labels;

		$methods = array();
		foreach ( self::typed_pairs( $input, 'shipping_method_map' ) as $type => $method ) {
			$type = strtoupper( $type );
			if ( '' === $type || ! preg_match( '/^[a-z0-9_:-]+$/i', $method ) ) {
				$errors['shipping_method_map'] = sprintf(
					/* translators: %s: the shipping type or method that was given */
					__( 'Shipping methods: the row "%s" needs a Mirakl shipping type code and a WooCommerce shipping method id (such as flat_rate).', 'mirakl-connector-for-woocommerce' ),
					'' === $type ? $method : $type
				);
				continue;
			}
			$methods[ $type ] = $method;
		}
		$raw['shipping_method_map'] = $methods;

		$meta = array();
		foreach ( self::typed_pairs( $input, 'custom_field_meta_map' ) as $code => $key ) {
			if ( '' === $code || ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $key ) ) {
				$errors['custom_field_meta_map'] = sprintf(
					/* translators: %s: the custom field code or meta key that was given */
					__( 'Custom fields as meta: the row "%s" needs a Mirakl custom field code and a meta key (letters, digits, "_" and "-").', 'mirakl-connector-for-woocommerce' ),
					'' === $code ? $key : $code
				);
				continue;
			}
			$meta[ $code ] = $key;
		}
		$raw['custom_field_meta_map'] = $meta;

		if ( ! empty( $errors ) ) {
			// The core would only repeat a type error for a field already reported.
			return array();
		}
		try {
			$normalised = $this->bridge->validate_sync_settings( $raw );
		} catch ( \MiraklConnector\Native\NativeException $e ) {
			self::add_native_error( $e->getMessage(), $errors );
			return array();
		}
		return $normalised;
	}

	/**
	 * The rows of a two-column table (`<field>_keys[]`, `<field>_values[]`), empty rows
	 * dropped, as name => value (a row whose value is empty keeps its name, for the error).
	 *
	 * @param array  $input Form input.
	 * @param string $field The setting's name.
	 * @return array<string, string>
	 */
	public static function typed_pairs( array $input, string $field ): array {
		$keys   = (array) ( $input[ $field . '_keys' ] ?? array() );
		$values = (array) ( $input[ $field . '_values' ] ?? array() );
		$pairs  = array();
		foreach ( $keys as $index => $key ) {
			$key   = self::text( $key );
			$value = self::text( $values[ $index ] ?? '' );
			if ( '' === $key && '' === $value ) {
				continue;
			}
			$pairs[ $key ] = $value;
		}
		return $pairs;
	}

	/**
	 * The shop-side part, checked here.
	 *
	 * @param array $input  Form input.
	 * @param array $errors Errors, by field (added to).
	 */
	private function shop( array $input, array &$errors ): array {
		$shop  = Settings::shop_defaults();
		$types = array_values( array_intersect( Settings::PRODUCT_TYPES, array_map( array( self::class, 'text' ), (array) ( $input['listed_product_types'] ?? array() ) ) ) );
		if ( empty( $types ) ) {
			$errors['listed_product_types'] = __( 'Product types listed: choose at least one product type to list on the marketplace.', 'mirakl-connector-for-woocommerce' );
		}
		$shop['listed_product_types'] = $types;

		$meta_key = self::text( $input['product_reference_meta'] ?? '' );
		if ( '' !== $meta_key && ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $meta_key ) ) {
			$errors['product_reference_meta'] = __( 'Product identifier field: give the product meta key that holds the EAN (such as _ean or _global_unique_id): letters, digits, - and _ only.', 'mirakl-connector-for-woocommerce' );
		}
		$shop['product_reference_meta'] = $meta_key;
		$shop['send_customer_emails']   = ! empty( $input['send_customer_emails'] );
		$name                           = self::text( $input['marketplace_name'] ?? '' );
		if ( '' === $name || strlen( $name ) > 60 ) {
			$errors['marketplace_name'] = __( 'Marketplace name: give the marketplace\'s name as customers know it (up to 60 characters).', 'mirakl-connector-for-woocommerce' );
		}
		$shop['marketplace_name'] = $name;

		$shipped = preg_replace( '/^wc-/', '', self::text( $input['shipped_status'] ?? '' ) );
		if ( ! array_key_exists( 'wc-' . $shipped, self::order_statuses() ) ) {
			$errors['shipped_status'] = __( 'Shipped status: choose one of the WooCommerce order statuses.', 'mirakl-connector-for-woocommerce' );
		}
		$shop['shipped_status'] = $shipped;

		$recipients = array();
		foreach ( preg_split( '/[\s,;]+/', self::text( $input['alert_recipients'] ?? '' ), -1, PREG_SPLIT_NO_EMPTY ) as $address ) {
			if ( ! is_email( $address ) ) {
				$errors['alert_recipients'] = sprintf(
					/* translators: %s: what was typed */
					__( 'Alert recipients: "%s" is not an e-mail address.', 'mirakl-connector-for-woocommerce' ),
					$address
				);
				continue;
			}
			$recipients[] = sanitize_email( $address );
		}
		$shop['alert_recipients'] = array_values( array_unique( $recipients ) );
		$shop['alert_kinds']      = array_values(
			array_filter(
				array_map( array( self::class, 'text' ), (array) ( $input['alert_kinds'] ?? array() ) ),
				static fn ( string $kind ): bool => 1 === preg_match( '/^[a-z_]{1,64}$/', $kind )
			)
		);
		return $shop;
	}

	/**
	 * WooCommerce's order statuses (`wc-` slugs → labels), or the built-in ones without it.
	 *
	 * @return array<string, string>
	 */
	public static function order_statuses(): array {
		if ( function_exists( 'wc_get_order_statuses' ) ) {
			return wc_get_order_statuses();
		}
		return array(
			'wc-pending'    => 'Pending payment',
			'wc-processing' => 'Processing',
			'wc-on-hold'    => 'On hold',
			'wc-completed'  => 'Completed',
			'wc-cancelled'  => 'Cancelled',
			'wc-refunded'   => 'Refunded',
			'wc-failed'     => 'Failed',
		);
	}

	/**
	 * Sanitises one line of text.
	 *
	 * @param mixed $value Raw value.
	 */
	public static function text( $value ): string {
		return is_scalar( $value ) ? trim( sanitize_text_field( (string) $value ) ) : '';
	}

	/**
	 * A whole number, or null with an error (an empty field is left to the default).
	 *
	 * @param mixed  $value  Raw value.
	 * @param string $field  Field name.
	 * @param array  $errors Errors (added to).
	 */
	private static function whole_number( $value, string $field, array &$errors ): ?int {
		$value = self::text( $value );
		if ( '' === $value ) {
			return null;
		}
		if ( ! preg_match( '/^-?\d{1,9}$/', $value ) ) {
			$errors[ $field ] = sprintf(
				/* translators: 1: field label, 2: what was typed */
				__( '%1$s: "%2$s" is not a whole number.', 'mirakl-connector-for-woocommerce' ),
				self::field_labels()[ $field ] ?? $field,
				$value
			);
			return null;
		}
		return (int) $value;
	}

	/**
	 * Files a core validation message ("field: reason" or "invalid sync setting field: reason")
	 * under its field, with the field's label in front.
	 *
	 * @param string $message The core's message.
	 * @param array  $errors  Errors (added to).
	 */
	private static function add_native_error( string $message, array &$errors ): void {
		$message = preg_replace( '/^invalid sync setting /', '', $message );
		$field   = 'settings';
		$reason  = $message;
		if ( preg_match( '/^([a-z_]+):\s*(.*)$/s', $message, $match ) ) {
			$field  = $match[1];
			$reason = $match[2];
		}
		$labels = self::field_labels();
		if ( 'connect_timeout_secs' === $field || 'timeout_secs' === $field ) {
			$field = substr( $field, 0, -5 );
		}
		$errors[ $field ] = ( $labels[ $field ] ?? $field ) . ': ' . $reason;
	}
}
