<?php
/**
 * A dashboard section whose read failed, with the reason.
 *
 * @package MiraklConnector
 *
 * @var array $args read (the read that failed), reason.
 */

defined( 'ABSPATH' ) || exit;
?>
<p class="mirakl-empty mirakl-unavailable" data-read="<?php echo esc_attr( $args['read'] ); ?>"><?php echo esc_html( __( 'Could not be read from the connector\'s state:', 'mirakl-connector-for-woocommerce' ) . ' ' . $args['reason'] ); ?></p>
