<?php
/**
 * The dashboard's orders whose acceptance or shipping deadline is near.
 *
 * @package MiraklConnector
 *
 * @var array $args rows (each mirakl_order_id, wc_order_id, wc_edit_url, entity (when there is no
 *                  WooCommerce order), state, kind, deadline; null when the read failed),
 *                  unavailable (the reason it failed).
 */

use MiraklConnector\Admin\Format;
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card" id="mirakl-orders-at-risk"><h2><?php esc_html_e( 'Orders at risk', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php if ( null === $args['rows'] ) : ?>
	<?php
	View::render(
		'dashboard/html-unavailable',
		array(
			'read'   => 'orders_at_risk',
			'reason' => $args['unavailable'],
		)
	);
	?>
<?php elseif ( empty( $args['rows'] ) ) : ?>
<p class="mirakl-empty"><?php esc_html_e( 'No marketplace order is waiting for acceptance or close to its shipping deadline.', 'mirakl-connector-for-woocommerce' ); ?></p>
<?php else : ?>
<table class="widefat striped"><thead><tr><th><?php esc_html_e( 'Order', 'mirakl-connector-for-woocommerce' ); ?></th><th><?php esc_html_e( 'State', 'mirakl-connector-for-woocommerce' ); ?></th><th><?php esc_html_e( 'Deadline', 'mirakl-connector-for-woocommerce' ); ?></th><th><?php esc_html_e( 'Time left', 'mirakl-connector-for-woocommerce' ); ?></th></tr></thead><tbody>
	<?php foreach ( $args['rows'] as $order ) : ?>
<tr class="mirakl-at-risk" data-order="<?php echo esc_attr( $order['mirakl_order_id'] ); ?>"><td>
		<?php if ( null === $order['entity'] ) : ?>
<a href="<?php echo esc_url( $order['wc_edit_url'] ); ?>"><?php echo esc_html( '#' . $order['wc_order_id'] ); ?></a> <code><?php echo esc_html( $order['mirakl_order_id'] ); ?></code>
		<?php else : ?>
			<?php View::render( 'html-entity-link', $order['entity'] ); ?>
		<?php endif; ?>
</td>
<td><code><?php echo esc_html( $order['state'] ); ?></code></td>
<td><?php echo esc_html( $order['kind'] ); ?> <?php echo esc_html( Format::when( $order['deadline'] ) ); ?></td>
<td><?php echo Format::countdown( $order['deadline'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in countdown(). ?></td></tr>
	<?php endforeach; ?>
</tbody></table>
<?php endif; ?>
</section>
