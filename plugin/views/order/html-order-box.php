<?php
/**
 * The order's Mirakl box: label/value rows, and the order's open problems.
 *
 * @package MiraklConnector
 *
 * @var array $args rows (label => value, values already escaped by OrderScreens::meta_box_html()),
 *                  synced (whether the core knows the order's state yet), problems (open rows).
 */

use MiraklConnector\Admin\DashboardPage;

defined( 'ABSPATH' ) || exit;
?>
<dl class="mirakl-order-box">
<?php foreach ( $args['rows'] as $label => $value ) : ?>
<dt><?php echo esc_html( $label ); ?></dt><dd><?php echo $value; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by OrderScreens::meta_box_html(). ?></dd>
<?php endforeach; ?>
</dl>
<?php if ( ! $args['synced'] ) : ?>
<p class="description"><?php esc_html_e( 'State, deadlines and refunds sent show here once the connector has synced this order (Engine::order_status).', 'mirakl-connector-for-woocommerce' ); ?></p>
<?php endif; ?>
<?php if ( ! empty( $args['problems'] ) ) : ?>
<div class="mirakl-order-problems"><strong><?php esc_html_e( 'Needs attention', 'mirakl-connector-for-woocommerce' ); ?></strong><ul>
	<?php foreach ( $args['problems'] as $problem ) : ?>
<li class="mirakl-severity-<?php echo esc_attr( (string) $problem['severity'] ); ?>"><?php echo esc_html( (string) $problem['message'] ); ?></li>
	<?php endforeach; ?>
</ul><a href="<?php echo esc_url( DashboardPage::url( 'mirakl-problems' ) ); ?>"><?php esc_html_e( 'Retry or resolve on the dashboard', 'mirakl-connector-for-woocommerce' ); ?></a></div>
<?php endif; ?>
