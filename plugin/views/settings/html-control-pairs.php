<?php
/**
 * A two-column table of the settings form (a name and what it maps to), with "Add a row": the
 * country label mapping and the shipping method mapping.
 *
 * @package MiraklConnector
 *
 * @var array $args key_label, value_label (column titles), key_placeholder, value_placeholder,
 *                  add_label, rows (each key, value), field.
 */

defined( 'ABSPATH' ) || exit;
$mirakl_name = $args['field']['name'];
?>
<table class="widefat striped mirakl-pairs" id="mirakl-field-<?php echo esc_attr( $mirakl_name ); ?>"><thead><tr>
<th scope="col"><?php echo esc_html( $args['key_label'] ); ?></th>
<th scope="col"><?php echo esc_html( $args['value_label'] ); ?></th>
<th scope="col"><span class="screen-reader-text"><?php esc_html_e( 'Remove', 'mirakl-connector-for-woocommerce' ); ?></span></th></tr></thead><tbody>
<?php foreach ( $args['rows'] as $mirakl_row ) : ?>
<tr class="mirakl-pair-row">
<td><input type="text" class="regular-text" name="mirakl[<?php echo esc_attr( $mirakl_name ); ?>_keys][]" value="<?php echo esc_attr( $mirakl_row['key'] ); ?>" aria-label="<?php echo esc_attr( $args['key_label'] ); ?>" placeholder="<?php echo esc_attr( $args['key_placeholder'] ); ?>" aria-describedby="<?php echo esc_attr( $args['field']['describedby'] ); ?>"></td>
<td><input type="text" class="mirakl-medium-text" name="mirakl[<?php echo esc_attr( $mirakl_name ); ?>_values][]" value="<?php echo esc_attr( $mirakl_row['value'] ); ?>" aria-label="<?php echo esc_attr( $args['value_label'] ); ?>" placeholder="<?php echo esc_attr( $args['value_placeholder'] ); ?>"></td>
<td><button type="button" class="button-link mirakl-remove-row"><?php esc_html_e( 'Remove', 'mirakl-connector-for-woocommerce' ); ?></button></td></tr>
<?php endforeach; ?>
</tbody></table>
<p><button type="button" class="button mirakl-add-row" data-table="mirakl-field-<?php echo esc_attr( $mirakl_name ); ?>"><?php echo esc_html( $args['add_label'] ); ?></button></p>
