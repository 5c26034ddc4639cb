<?php
/**
 * The status mapping of the settings form: a WooCommerce status per Mirakl state.
 *
 * @package MiraklConnector
 *
 * @var array $args rows (each key, value, options), field.
 */

defined( 'ABSPATH' ) || exit;
?>
<table class="widefat striped mirakl-mapping" id="mirakl-field-<?php echo esc_attr( $args['field']['name'] ); ?>"><thead><tr><th><?php esc_html_e( 'Mirakl state', 'mirakl-connector-for-woocommerce' ); ?></th><th><?php esc_html_e( 'WooCommerce status', 'mirakl-connector-for-woocommerce' ); ?></th></tr></thead><tbody>
<?php foreach ( $args['rows'] as $row ) : ?>
<tr><td><code><?php echo esc_html( $row['key'] ); ?></code></td><td><select name="mirakl[<?php echo esc_attr( $args['field']['name'] ); ?>][<?php echo esc_html( $row['key'] ); ?>]" aria-label="<?php echo esc_attr( $row['key'] ); ?>">
	<?php foreach ( $row['options'] as $option => $text ) : ?>
<option value="<?php echo esc_attr( (string) $option ); ?>"<?php selected( $row['value'], (string) $option ); ?>><?php echo esc_html( (string) $text ); ?></option>
	<?php endforeach; ?>
</select></td></tr>
<?php endforeach; ?>
</tbody></table>
