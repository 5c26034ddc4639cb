<?php
/**
 * Prints the settings form's rows: a label, the control named `mirakl[<field>]`, help text and
 * the field's error next to it. Every value is escaped here; the API key is never printed.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Form rows for the settings page.
 */
class FieldRenderer {

	/**
	 * Values by field.
	 *
	 * @var array
	 */
	private array $values;

	/**
	 * Errors by field.
	 *
	 * @var array<string, string>
	 */
	private array $errors;

	/**
	 * Constructor.
	 *
	 * @param array $values Values by field.
	 * @param array $errors Errors by field.
	 */
	public function __construct( array $values, array $errors ) {
		$this->values = $values;
		$this->errors = $errors;
	}

	/**
	 * Opens a row.
	 *
	 * @param string $name      Field name.
	 * @param string $label     Label.
	 * @param string $error_key Field the errors are filed under.
	 * @param bool   $for       Whether the label points at one control.
	 */
	private function open( string $name, string $label, string $error_key, bool $for = true ): void {
		$invalid = isset( $this->errors[ $error_key ] );
		printf( '<tr class="mirakl-row%s" data-field="%s"><th scope="row">', $invalid ? ' mirakl-invalid' : '', esc_attr( $name ) );
		if ( $for ) {
			printf( '<label for="mirakl-field-%s">%s</label>', esc_attr( $name ), esc_html( $label ) );
		} else {
			echo esc_html( $label );
		}
		echo '</th><td>';
	}

	/**
	 * Closes a row with its help and error.
	 *
	 * @param string $name      Field name.
	 * @param string $help      Help text.
	 * @param string $error_key Field the errors are filed under.
	 */
	private function close( string $name, string $help, string $error_key ): void {
		if ( '' !== $help ) {
			printf( '<p class="description" id="mirakl-help-%s">%s</p>', esc_attr( $name ), esc_html( $help ) );
		}
		if ( isset( $this->errors[ $error_key ] ) ) {
			printf( '<p class="mirakl-field-error" id="mirakl-error-%s" role="alert">%s</p>', esc_attr( $name ), esc_html( $this->errors[ $error_key ] ) );
		}
		echo '</td></tr>';
	}

	/**
	 * Common attributes of a control.
	 *
	 * @param string $name      Field name.
	 * @param string $error_key Field the errors are filed under.
	 */
	private function attributes( string $name, string $error_key ): string {
		$described = 'mirakl-help-' . $name . ( isset( $this->errors[ $error_key ] ) ? ' mirakl-error-' . $name : '' );
		return sprintf(
			'id="mirakl-field-%1$s" name="mirakl[%1$s]" aria-describedby="%2$s"%3$s',
			esc_attr( $name ),
			esc_attr( $described ),
			isset( $this->errors[ $error_key ] ) ? ' aria-invalid="true"' : ''
		);
	}

	/**
	 * The value of a field as text.
	 *
	 * @param string $name Field name.
	 */
	private function value( string $name ): string {
		$value = $this->values[ $name ] ?? '';
		return is_scalar( $value ) ? (string) $value : '';
	}

	/**
	 * A text input.
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param string $help    Help.
	 * @param array  $options type, class, placeholder, inputmode, error_key.
	 */
	public function text( string $name, string $label, string $help = '', array $options = array() ): void {
		$error_key = $options['error_key'] ?? $name;
		$this->open( $name, $label, $error_key );
		printf(
			'<input type="%1$s" class="%2$s" value="%3$s" %4$s%5$s%6$s>',
			esc_attr( $options['type'] ?? 'text' ),
			esc_attr( $options['class'] ?? 'regular-text' ),
			esc_attr( $this->value( $name ) ),
			$this->attributes( $name, $error_key ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in attributes().
			isset( $options['placeholder'] ) ? ' placeholder="' . esc_attr( $options['placeholder'] ) . '"' : '',
			isset( $options['inputmode'] ) ? ' inputmode="' . esc_attr( $options['inputmode'] ) . '"' : ''
		);
		$this->close( $name, $help, $error_key );
	}

	/**
	 * A number input.
	 *
	 * @param string $name  Field name.
	 * @param string $label Label.
	 * @param string $unit  Unit and bounds, shown after the input.
	 */
	public function number( string $name, string $label, string $unit = '' ): void {
		$this->open( $name, $label, $name );
		printf(
			'<input type="text" inputmode="numeric" class="small-text" value="%1$s" %2$s> <span class="mirakl-unit" id="mirakl-help-%3$s">%4$s</span>',
			esc_attr( $this->value( $name ) ),
			$this->attributes( $name, $name ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in attributes().
			esc_attr( $name ),
			esc_html( $unit )
		);
		$this->close( $name, '', $name );
	}

	/**
	 * The API key: never printed; a stored key is shown as such with a replace action.
	 *
	 * @param string $name   Field name.
	 * @param string $label  Label.
	 * @param bool   $stored Whether a key is stored.
	 */
	public function secret( string $name, string $label, bool $stored ): void {
		$this->open( $name, $label, $name );
		if ( $stored ) {
			printf(
				'<span class="mirakl-secret-stored" id="mirakl-secret-state">%1$s</span> <button type="button" class="button button-small mirakl-replace-secret" data-target="mirakl-field-%2$s" aria-controls="mirakl-field-%2$s">%3$s</button><br>',
				esc_html__( '•••••••••••• A key is stored.', 'mirakl-connector-for-woocommerce' ),
				esc_attr( $name ),
				esc_html__( 'Replace key', 'mirakl-connector-for-woocommerce' )
			);
		}
		printf(
			'<input type="password" class="regular-text mirakl-secret%1$s" value="" autocomplete="new-password" spellcheck="false" %2$s placeholder="%3$s">',
			$stored ? ' mirakl-secret-hidden' : '',
			$this->attributes( $name, $name ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in attributes().
			esc_attr( $stored ? __( 'Type a new key to replace the stored one', 'mirakl-connector-for-woocommerce' ) : __( 'Shop API key from your Mirakl back office', 'mirakl-connector-for-woocommerce' ) )
		);
		$this->close( $name, $stored ? __( 'Leave empty to keep the stored key.', 'mirakl-connector-for-woocommerce' ) : __( 'In the Mirakl back office: your user menu → API key.', 'mirakl-connector-for-woocommerce' ), $name );
	}

	/**
	 * A select.
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param array  $choices Value → label.
	 * @param string $help    Help.
	 */
	public function select( string $name, string $label, array $choices, string $help = '' ): void {
		$this->open( $name, $label, $name );
		$current = $this->value( $name );
		printf( '<select %s>', $this->attributes( $name, $name ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in attributes().
		if ( '' !== $current && ! array_key_exists( $current, $choices ) ) {
			$choices = array( $current => $current ) + $choices;
		}
		foreach ( $choices as $value => $text ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( (string) $value ), selected( $current, (string) $value, false ), esc_html( (string) $text ) );
		}
		echo '</select>';
		$this->close( $name, $help, $name );
	}

	/**
	 * One checkbox.
	 *
	 * @param string $name  Field name.
	 * @param string $label Label.
	 * @param string $text  Text beside the box.
	 */
	public function checkbox( string $name, string $label, string $text ): void {
		$this->open( $name, $label, $name, false );
		printf(
			'<label><input type="checkbox" value="1" %1$s%2$s> %3$s</label>',
			$this->attributes( $name, $name ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in attributes().
			checked( ! empty( $this->values[ $name ] ), true, false ),
			esc_html( $text )
		);
		$this->close( $name, '', $name );
	}

	/**
	 * A group of checkboxes posting a list.
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param array  $choices Value → label.
	 * @param string $class   Extra class of the group.
	 */
	public function checkboxes( string $name, string $label, array $choices, string $class = '' ): void {
		$this->open( $name, $label, $name, false );
		$chosen = array_map( 'strval', (array) ( $this->values[ $name ] ?? array() ) );
		printf( '<fieldset id="mirakl-field-%1$s" class="mirakl-checkboxes %2$s"><legend class="screen-reader-text">%3$s</legend>', esc_attr( $name ), esc_attr( $class ), esc_html( $label ) );
		foreach ( $choices as $value => $text ) {
			printf(
				'<label><input type="checkbox" name="mirakl[%1$s][]" value="%2$s"%3$s> %4$s</label>',
				esc_attr( $name ),
				esc_attr( (string) $value ),
				checked( in_array( (string) $value, $chosen, true ), true, false ),
				esc_html( (string) $text )
			);
		}
		echo '</fieldset>';
		$this->close( $name, '', $name );
	}

	/**
	 * A key → choice table (Mirakl order state → WooCommerce status).
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param array  $keys    Row keys.
	 * @param array  $choices Value → label for each row.
	 * @param string $help    Help.
	 */
	public function mapping( string $name, string $label, array $keys, array $choices, string $help ): void {
		$this->open( $name, $label, $name, false );
		$current = (array) ( $this->values[ $name ] ?? array() );
		$keys    = array_values( array_unique( array_merge( $keys, array_map( 'strval', array_keys( $current ) ) ) ) );
		printf( '<table class="widefat striped mirakl-mapping" id="mirakl-field-%s"><thead><tr><th>%s</th><th>%s</th></tr></thead><tbody>', esc_attr( $name ), esc_html__( 'Mirakl state', 'mirakl-connector-for-woocommerce' ), esc_html__( 'WooCommerce status', 'mirakl-connector-for-woocommerce' ) );
		foreach ( $keys as $key ) {
			$value = (string) ( $current[ $key ] ?? '' );
			printf( '<tr><td><code>%1$s</code></td><td><select name="mirakl[%2$s][%1$s]" aria-label="%3$s">', esc_html( $key ), esc_attr( $name ), esc_attr( $key ) );
			$options = $choices;
			if ( '' !== $value && ! array_key_exists( $value, $options ) ) {
				$options[ $value ] = $value;
			}
			foreach ( $options as $option => $text ) {
				printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( (string) $option ), selected( $value, (string) $option, false ), esc_html( (string) $text ) );
			}
			echo '</select></td></tr>';
		}
		echo '</tbody></table>';
		$this->close( $name, $help, $name );
	}

	/**
	 * The carrier mapping table: WooCommerce carrier name ↔ Mirakl carrier code.
	 *
	 * @param array $carriers Mirakl carriers [{code, label}].
	 * @param array $names    Mapped WooCommerce names.
	 * @param array $codes    Mirakl codes, same order.
	 */
	public function carrier_table( array $carriers, array $names, array $codes ): void {
		$this->open( 'carrier_map', __( 'Carrier mapping', 'mirakl-connector-for-woocommerce' ), 'carrier_map', false );
		$known = array();
		foreach ( $carriers as $carrier ) {
			$known[ (string) $carrier['code'] ] = (string) $carrier['code'] . ( empty( $carrier['label'] ) ? '' : ' — ' . (string) $carrier['label'] );
		}
		echo '<table class="widefat striped mirakl-carriers" id="mirakl-field-carrier_map"><thead><tr>';
		echo '<th scope="col">' . esc_html__( 'Carrier name in WooCommerce', 'mirakl-connector-for-woocommerce' ) . '</th>';
		echo '<th scope="col">' . esc_html__( 'Mirakl carrier', 'mirakl-connector-for-woocommerce' ) . '</th>';
		echo '<th scope="col"><span class="screen-reader-text">' . esc_html__( 'Remove', 'mirakl-connector-for-woocommerce' ) . '</span></th></tr></thead><tbody>';
		$rows = max( count( $names ) + 1, 3 );
		for ( $i = 0; $i < $rows; $i++ ) {
			$name = (string) ( $names[ $i ] ?? '' );
			$code = (string) ( $codes[ $i ] ?? '' );
			echo '<tr class="mirakl-carrier-row">';
			printf( '<td><input type="text" class="regular-text mirakl-carrier-name" name="mirakl[carrier_names][]" value="%1$s" aria-label="%2$s" placeholder="%3$s"></td>', esc_attr( $name ), esc_attr__( 'Carrier name in WooCommerce', 'mirakl-connector-for-woocommerce' ), esc_attr__( 'e.g. Colissimo', 'mirakl-connector-for-woocommerce' ) );
			echo '<td>';
			if ( empty( $known ) ) {
				printf( '<input type="text" class="regular-text mirakl-carrier-code" name="mirakl[carrier_codes][]" value="%1$s" aria-label="%2$s" placeholder="%3$s">', esc_attr( $code ), esc_attr__( 'Mirakl carrier code', 'mirakl-connector-for-woocommerce' ), esc_attr__( 'Mirakl carrier code', 'mirakl-connector-for-woocommerce' ) );
			} else {
				printf( '<select class="mirakl-carrier-code" name="mirakl[carrier_codes][]" aria-label="%s">', esc_attr__( 'Mirakl carrier', 'mirakl-connector-for-woocommerce' ) );
				printf( '<option value="">%s</option>', esc_html__( '— choose —', 'mirakl-connector-for-woocommerce' ) );
				$options = $known;
				if ( '' !== $code && ! isset( $options[ $code ] ) ) {
					/* translators: %s: carrier code */
					$options[ $code ] = sprintf( __( '%s (no longer listed by Mirakl)', 'mirakl-connector-for-woocommerce' ), $code );
				}
				foreach ( $options as $value => $text ) {
					printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( (string) $value ), selected( $code, (string) $value, false ), esc_html( $text ) );
				}
				echo '</select>';
			}
			echo '</td><td><button type="button" class="button-link mirakl-remove-row">' . esc_html__( 'Remove', 'mirakl-connector-for-woocommerce' ) . '</button></td></tr>';
		}
		echo '</tbody></table>';
		echo '<p class="mirakl-carrier-actions"><button type="button" class="button mirakl-add-row" data-table="mirakl-field-carrier_map">' . esc_html__( 'Add a carrier', 'mirakl-connector-for-woocommerce' ) . '</button> ';
		echo '<button type="submit" class="button" form="mirakl-connector-refresh-carriers" id="mirakl-refresh-carriers">' . esc_html__( 'Refresh carriers from Mirakl', 'mirakl-connector-for-woocommerce' ) . '</button></p>';
		$help = empty( $known )
			? __( 'Mirakl\'s carrier list (SH21) is not known yet: it is read on the first sync. Type the carrier codes, or refresh once connected.', 'mirakl-connector-for-woocommerce' )
			/* translators: %d: number of carriers */
			: sprintf( _n( '%d carrier listed by Mirakl.', '%d carriers listed by Mirakl.', count( $known ), 'mirakl-connector-for-woocommerce' ), count( $known ) );
		$this->close( 'carrier_map', $help . ' ' . __( 'The name is what you type as carrier when you add tracking to an order.', 'mirakl-connector-for-woocommerce' ), 'carrier_map' );
	}
}
