<?php
/**
 * The finance screen's settings form.
 *
 * @package MiraklConnector
 *
 * @var array $args action (the save action), settings (the finance settings), view (the month and
 *                  currency, posted back).
 */

use MiraklConnector\Admin\Guard;

defined( 'ABSPATH' ) || exit;

$mirakl_settings = $args['settings'];
$mirakl_fields   = array(
	'commission_fee_line_name' => array( __( 'Fee line name', 'mirakl-connector-for-woocommerce' ), 'text', '' ),
	'commission_account'       => array( __( 'Ledger account for commissions', 'mirakl-connector-for-woocommerce' ), 'text', __( 'Written in the ledger CSV\'s account column for commission rows (empty: none).', 'mirakl-connector-for-woocommerce' ) ),
	'rounding_tolerance'       => array( __( 'Rounding tolerance', 'mirakl-connector-for-woocommerce' ), 'text', __( 'Largest difference per compared figure still counted as equal, e.g. 0.01.', 'mirakl-connector-for-woocommerce' ) ),
	'import_interval_hours'    => array( __( 'Hours between imports', 'mirakl-connector-for-woocommerce' ), 'number', __( '24 (the default) imports nightly; "Import now" runs one at any time.', 'mirakl-connector-for-woocommerce' ) ),
);
?>
<section class="mirakl-card mirakl-finance-settings" id="mirakl-finance-settings"><h2><?php esc_html_e( 'Finance settings', 'mirakl-connector-for-woocommerce' ); ?></h2>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
<?php echo Guard::form_fields( $args['action'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields(). ?>
<?php foreach ( $args['view'] as $mirakl_name => $mirakl_value ) : ?>
<input type="hidden" name="<?php echo esc_attr( $mirakl_name ); ?>" value="<?php echo esc_attr( $mirakl_value ); ?>">
<?php endforeach; ?>
<table class="form-table" role="presentation"><tbody>
<tr><th scope="row"><?php esc_html_e( 'Commission on orders', 'mirakl-connector-for-woocommerce' ); ?></th><td><fieldset>
<?php
foreach ( array(
	'meta_only' => __( 'Kept as order details only; order totals stay as the marketplace sent them', 'mirakl-connector-for-woocommerce' ),
	'fee_line'  => __( 'Also as a negative fee line on each new marketplace order (its total is then net of commission)', 'mirakl-connector-for-woocommerce' ),
) as $mirakl_value => $mirakl_label ) :
	?>
<label><input type="radio" name="finance[commission_posting]" value="<?php echo esc_attr( $mirakl_value ); ?>"<?php checked( (string) $mirakl_settings['commission_posting'], $mirakl_value ); ?>> <?php echo esc_html( $mirakl_label ); ?></label><br>
<?php endforeach; ?>
</fieldset></td></tr>
<?php foreach ( $mirakl_fields as $mirakl_key => [ $mirakl_label, $mirakl_type, $mirakl_help ] ) : ?>
<tr><th scope="row"><label for="mirakl-finance-<?php echo esc_attr( $mirakl_key ); ?>"><?php echo esc_html( $mirakl_label ); ?></label></th><td><input type="<?php echo esc_attr( $mirakl_type ); ?>" class="regular-text" id="mirakl-finance-<?php echo esc_attr( $mirakl_key ); ?>" name="finance[<?php echo esc_attr( $mirakl_key ); ?>]" value="<?php echo esc_attr( (string) $mirakl_settings[ $mirakl_key ] ); ?>">
	<?php if ( '' !== $mirakl_help ) : ?>
<p class="description"><?php echo esc_html( $mirakl_help ); ?></p>
	<?php endif; ?>
</td></tr>
<?php endforeach; ?>
<tr><th scope="row"><?php esc_html_e( 'Accounting documents', 'mirakl-connector-for-woocommerce' ); ?></th><td><label><input type="checkbox" name="finance[import_documents]" value="1"<?php checked( ! empty( $mirakl_settings['import_documents'] ), true ); ?>> <?php esc_html_e( 'Also import accounting documents and billing cycles (once a day), for payout references', 'mirakl-connector-for-woocommerce' ); ?></label></td></tr>
</tbody></table>
<p class="submit"><button type="submit" class="button button-primary"><?php esc_html_e( 'Save finance settings', 'mirakl-connector-for-woocommerce' ); ?></button></p>
</form></section>
