<?php
/**
 * The carrier table of the settings form: a WooCommerce carrier name and its Mirakl carrier
 * (a select when Mirakl's list is known, a text field otherwise), with "Add a carrier" and
 * "Refresh carriers from Mirakl".
 *
 * @package MiraklConnector
 *
 * @var array $args known (whether Mirakl's carrier list is known), rows (each name, code,
 *                  options), field.
 */

defined( 'ABSPATH' ) || exit;
?>
<table class="widefat striped mirakl-carriers" id="mirakl-field-carrier_map"><thead><tr>
<th scope="col"><?php esc_html_e( 'Carrier name in WooCommerce', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Mirakl carrier', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><span class="screen-reader-text"><?php esc_html_e( 'Remove', 'mirakl-connector-for-woocommerce' ); ?></span></th></tr></thead><tbody>
<?php foreach ( $args['rows'] as $row ) : ?>
<tr class="mirakl-carrier-row">
<td><input type="text" class="regular-text mirakl-carrier-name" name="mirakl[carrier_names][]" value="<?php echo esc_attr( $row['name'] ); ?>" aria-label="<?php esc_attr_e( 'Carrier name in WooCommerce', 'mirakl-connector-for-woocommerce' ); ?>" placeholder="<?php esc_attr_e( 'e.g. Colissimo', 'mirakl-connector-for-woocommerce' ); ?>"></td>
<td>
	<?php if ( ! $args['known'] ) : ?>
<input type="text" class="regular-text mirakl-carrier-code" name="mirakl[carrier_codes][]" value="<?php echo esc_attr( $row['code'] ); ?>" aria-label="<?php esc_attr_e( 'Mirakl carrier code', 'mirakl-connector-for-woocommerce' ); ?>" placeholder="<?php esc_attr_e( 'Mirakl carrier code', 'mirakl-connector-for-woocommerce' ); ?>">
	<?php else : ?>
<select class="mirakl-carrier-code" name="mirakl[carrier_codes][]" aria-label="<?php esc_attr_e( 'Mirakl carrier', 'mirakl-connector-for-woocommerce' ); ?>"><option value=""><?php esc_html_e( '— choose —', 'mirakl-connector-for-woocommerce' ); ?></option>
		<?php foreach ( $row['options'] as $value => $text ) : ?>
<option value="<?php echo esc_attr( (string) $value ); ?>"<?php selected( $row['code'], (string) $value ); ?>><?php echo esc_html( $text ); ?></option>
		<?php endforeach; ?>
</select>
	<?php endif; ?>
</td><td><button type="button" class="button-link mirakl-remove-row"><?php esc_html_e( 'Remove', 'mirakl-connector-for-woocommerce' ); ?></button></td></tr>
<?php endforeach; ?>
</tbody></table>
<p class="mirakl-carrier-actions"><button type="button" class="button mirakl-add-row" data-table="mirakl-field-carrier_map"><?php esc_html_e( 'Add a carrier', 'mirakl-connector-for-woocommerce' ); ?></button> <button type="submit" class="button" form="mirakl-connector-refresh-carriers" id="mirakl-refresh-carriers"><?php esc_html_e( 'Refresh carriers from Mirakl', 'mirakl-connector-for-woocommerce' ); ?></button></p>
