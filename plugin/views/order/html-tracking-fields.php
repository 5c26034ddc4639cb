<?php
/**
 * The tracking fields of the order's Mirakl box.
 *
 * @package MiraklConnector
 *
 * @var array $args nonce_action, carrier, carriers (mapped carrier names), tracking_number,
 *                  tracking_url, shipped_status (the status that sends the shipment, in words).
 */

defined( 'ABSPATH' ) || exit;
?>
<fieldset class="mirakl-tracking"><legend><?php esc_html_e( 'Tracking', 'mirakl-connector-for-woocommerce' ); ?></legend>
<?php wp_nonce_field( $args['nonce_action'], 'mirakl_tracking_nonce' ); ?>
<p><label for="mirakl-carrier"><?php esc_html_e( 'Carrier', 'mirakl-connector-for-woocommerce' ); ?></label><input type="text" class="widefat" id="mirakl-carrier" name="mirakl_carrier" list="mirakl-carrier-names" value="<?php echo esc_attr( $args['carrier'] ); ?>">
<datalist id="mirakl-carrier-names">
<?php foreach ( $args['carriers'] as $name ) : ?>
<option value="<?php echo esc_attr( $name ); ?>">
<?php endforeach; ?>
</datalist></p>
<p><label for="mirakl-tracking-number"><?php esc_html_e( 'Tracking number', 'mirakl-connector-for-woocommerce' ); ?></label><input type="text" class="widefat" id="mirakl-tracking-number" name="mirakl_tracking_number" value="<?php echo esc_attr( $args['tracking_number'] ); ?>"></p>
<p><label for="mirakl-tracking-url"><?php esc_html_e( 'Tracking URL (optional)', 'mirakl-connector-for-woocommerce' ); ?></label><input type="url" class="widefat" id="mirakl-tracking-url" name="mirakl_tracking_url" value="<?php echo esc_attr( $args['tracking_url'] ); ?>"></p>
<p class="description">
<?php
/* translators: %s: order status such as Completed */
echo esc_html( sprintf( __( 'Set the status to "%s" and update the order: the tracking goes to Mirakl and the order is marked shipped there.', 'mirakl-connector-for-woocommerce' ), $args['shipped_status'] ) );
?>
</p></fieldset>
