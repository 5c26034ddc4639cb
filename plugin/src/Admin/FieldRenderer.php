<?php
/**
 * The settings form's rows, as data for the templates in views/settings/: per section, rows of a
 * label, the control named `mirakl[<field>]` with its current value, help text and the field's
 * error next to it. The API key's value is never part of a row.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Form rows for the settings page, collected section by section.
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
	 * The sections so far, the last one open.
	 *
	 * @var array<int, array>
	 */
	private array $sections = array();

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
	 * Starts a section card; the rows added next go in it.
	 *
	 * @param string $id    Section id.
	 * @param string $title Title.
	 * @param string $intro One sentence on what the section decides.
	 */
	public function section( string $id, string $title, string $intro ): void {
		$this->sections[] = array(
			'id'    => $id,
			'title' => $title,
			'intro' => $intro,
			'rows'  => array(),
			'after' => null,
		);
	}

	/**
	 * A template printed after the current section's table.
	 *
	 * @param string $template Template name.
	 * @param array  $args     What it prints.
	 */
	public function after( string $template, array $args ): void {
		$this->sections[ array_key_last( $this->sections ) ]['after'] = array(
			'template' => $template,
			'args'     => $args,
		);
	}

	/**
	 * The sections with their rows, for views/settings/html-section.php.
	 */
	public function sections(): array {
		return $this->sections;
	}

	/**
	 * Adds a row to the current section.
	 *
	 * @param string $control   The control's template (views/settings/html-control-<control>.php).
	 * @param string $name      Field name.
	 * @param string $label     Label.
	 * @param string $help      Help text ('' for none).
	 * @param string $error_key The key of the field's error.
	 * @param array  $control_args What the control prints.
	 * @param bool   $for       Whether the label points at one control.
	 */
	private function row( string $control, string $name, string $label, string $help, string $error_key, array $control_args, bool $for = true ): void {
		$invalid = isset( $this->errors[ $error_key ] );
		$this->sections[ array_key_last( $this->sections ) ]['rows'][] = array(
			'control' => 'settings/html-control-' . $control,
			'name'    => $name,
			'label'   => $label,
			'for'     => $for,
			'help'    => $help,
			'error'   => $invalid ? (string) $this->errors[ $error_key ] : '',
			'args'    => $control_args + array(
				'field' => array(
					'name'        => $name,
					'describedby' => 'mirakl-help-' . $name . ( $invalid ? ' mirakl-error-' . $name : '' ),
					'invalid'     => $invalid,
				),
			),
		);
	}

	/**
	 * The value of a field as a string.
	 *
	 * @param string $name Field name.
	 */
	private function value( string $name ): string {
		$value = $this->values[ $name ] ?? '';
		return is_scalar( $value ) ? (string) $value : '';
	}

	/**
	 * A text field.
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param string $help    Help text.
	 * @param array  $options type, class, placeholder, inputmode, error_key.
	 */
	public function text( string $name, string $label, string $help = '', array $options = array() ): void {
		$this->row(
			'text',
			$name,
			$label,
			$help,
			$options['error_key'] ?? $name,
			array(
				'type'        => $options['type'] ?? 'text',
				'class'       => $options['class'] ?? 'regular-text',
				'value'       => $this->value( $name ),
				'placeholder' => $options['placeholder'] ?? null,
				'inputmode'   => $options['inputmode'] ?? null,
			)
		);
	}

	/**
	 * A whole-number field with its unit.
	 *
	 * @param string $name  Field name.
	 * @param string $label Label.
	 * @param string $unit  Unit shown after the field.
	 */
	public function number( string $name, string $label, string $unit = '' ): void {
		$this->row(
			'number',
			$name,
			$label,
			'',
			$name,
			array(
				'value' => $this->value( $name ),
				'unit'  => $unit,
			)
		);
	}

	/**
	 * A secret (the API key): never printed; a stored one is shown as masked with "Replace".
	 *
	 * @param string $name   Field name.
	 * @param string $label  Label.
	 * @param bool   $stored Whether a value is stored.
	 */
	public function secret( string $name, string $label, bool $stored ): void {
		$this->row(
			'secret',
			$name,
			$label,
			$stored ? __( 'Leave empty to keep the stored key.', 'mirakl-connector-for-woocommerce' ) : __( 'In the Mirakl back office: your user menu → API key.', 'mirakl-connector-for-woocommerce' ),
			$name,
			array(
				'stored'      => $stored,
				'placeholder' => $stored ? __( 'Type a new key to replace the stored one', 'mirakl-connector-for-woocommerce' ) : __( 'Shop API key from your Mirakl back office', 'mirakl-connector-for-woocommerce' ),
			)
		);
	}

	/**
	 * A select; a stored value missing from the choices is kept as a choice.
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param array  $choices value => text.
	 * @param string $help    Help text.
	 */
	public function select( string $name, string $label, array $choices, string $help = '' ): void {
		$current = $this->value( $name );
		if ( '' !== $current && ! array_key_exists( $current, $choices ) ) {
			$choices = array( $current => $current ) + $choices;
		}
		$this->row(
			'select',
			$name,
			$label,
			$help,
			$name,
			array(
				'current' => $current,
				'choices' => $choices,
			)
		);
	}

	/**
	 * One checkbox.
	 *
	 * @param string $name  Field name.
	 * @param string $label Row label.
	 * @param string $text  Text beside the box.
	 */
	public function checkbox( string $name, string $label, string $text ): void {
		$this->row(
			'checkbox',
			$name,
			$label,
			'',
			$name,
			array(
				'checked' => ! empty( $this->values[ $name ] ),
				'text'    => $text,
			),
			false
		);
	}

	/**
	 * A list of checkboxes posting `mirakl[<name>][]`.
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param array  $choices value => text.
	 * @param string $class   Extra fieldset class.
	 */
	public function checkboxes( string $name, string $label, array $choices, string $class = '' ): void {
		$this->row(
			'checkboxes',
			$name,
			$label,
			'',
			$name,
			array(
				'label'   => $label,
				'class'   => $class,
				'choices' => $choices,
				'chosen'  => array_map( 'strval', (array) ( $this->values[ $name ] ?? array() ) ),
			),
			false
		);
	}

	/**
	 * A key → select table (the status mapping).
	 *
	 * @param string $name    Field name.
	 * @param string $label   Label.
	 * @param array  $keys    Row keys (Mirakl states).
	 * @param array  $choices value => text for every select.
	 * @param string $help    Help text.
	 */
	public function mapping( string $name, string $label, array $keys, array $choices, string $help ): void {
		$current = (array) ( $this->values[ $name ] ?? array() );
		$rows    = array();
		foreach ( array_values( array_unique( array_merge( $keys, array_map( 'strval', array_keys( $current ) ) ) ) ) as $key ) {
			$value   = (string) ( $current[ $key ] ?? '' );
			$options = $choices;
			if ( '' !== $value && ! array_key_exists( $value, $options ) ) {
				$options[ $value ] = $value;
			}
			$rows[] = array(
				'key'     => (string) $key,
				'value'   => $value,
				'options' => $options,
			);
		}
		$this->row( 'mapping', $name, $label, $help, $name, array( 'rows' => $rows ), false );
	}

	/**
	 * A two-column table of names and what they map to (see html-control-pairs), one empty row
	 * more than there are pairs.
	 *
	 * @param string $name    Field name (the setting's).
	 * @param string $label   Label.
	 * @param array  $pairs   Name => mapped value, as stored.
	 * @param array  $columns key_label, value_label, key_placeholder, value_placeholder, add_label.
	 * @param string $help    Help text.
	 */
	public function pairs( string $name, string $label, array $pairs, array $columns, string $help ): void {
		$rows = array();
		foreach ( $pairs as $key => $value ) {
			$rows[] = array(
				'key'   => (string) $key,
				'value' => (string) $value,
			);
		}
		$rows[] = array(
			'key'   => '',
			'value' => '',
		);
		$this->row( 'pairs', $name, $label, $help, $name, $columns + array( 'rows' => $rows ), false );
	}

	/**
	 * The carrier table: WooCommerce carrier name → Mirakl carrier code, with a select when
	 * Mirakl's list is known and a text field otherwise.
	 *
	 * @param array $carriers Mirakl carriers (code, label).
	 * @param array $names    Carrier names.
	 * @param array $codes    Mirakl codes, same order.
	 */
	public function carrier_table( array $carriers, array $names, array $codes ): void {
		$known = array();
		foreach ( $carriers as $carrier ) {
			$known[ (string) $carrier['code'] ] = (string) $carrier['code'] . ( empty( $carrier['label'] ) ? '' : ' — ' . (string) $carrier['label'] );
		}
		$rows  = array();
		$count = max( count( $names ) + 1, 3 );
		for ( $i = 0; $i < $count; $i++ ) {
			$code    = (string) ( $codes[ $i ] ?? '' );
			$options = $known;
			if ( ! empty( $known ) && '' !== $code && ! isset( $options[ $code ] ) ) {
				/* translators: %s: carrier code */
				$options[ $code ] = sprintf( __( '%s (no longer listed by Mirakl)', 'mirakl-connector-for-woocommerce' ), $code );
			}
			$rows[] = array(
				'name'    => (string) ( $names[ $i ] ?? '' ),
				'code'    => $code,
				'options' => $options,
			);
		}
		$help = empty( $known )
			? __( 'Mirakl\'s carrier list (SH21) is not known yet: it is read on the first sync. Type the carrier codes, or refresh once connected.', 'mirakl-connector-for-woocommerce' )
			/* translators: %d: number of carriers */
			: sprintf( _n( '%d carrier listed by Mirakl.', '%d carriers listed by Mirakl.', count( $known ), 'mirakl-connector-for-woocommerce' ), count( $known ) );
		$this->row(
			'carriers',
			'carrier_map',
			__( 'Carrier mapping', 'mirakl-connector-for-woocommerce' ),
			$help . ' ' . __( 'The name is what you type as carrier when you add tracking to an order.', 'mirakl-connector-for-woocommerce' ),
			'carrier_map',
			array(
				'known' => ! empty( $known ),
				'rows'  => $rows,
			),
			false
		);
	}
}
