<?php
/**
 * The dashboard's SKUs where WooCommerce, the last pushed value and the marketplace disagree.
 *
 * @package MiraklConnector
 *
 * @var array $args rows (each entity, quantities (shop, last pushed, marketplace), why; null when
 *                  the read failed), unavailable (the reason it failed).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card" id="mirakl-stock-drift"><h2><?php esc_html_e( 'Stock drift', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php if ( null === $args['rows'] ) : ?>
	<?php
	View::render(
		'dashboard/html-unavailable',
		array(
			'read'   => 'stock_drift',
			'reason' => $args['unavailable'],
		)
	);
	?>
<?php elseif ( empty( $args['rows'] ) ) : ?>
<p class="mirakl-empty"><?php esc_html_e( 'WooCommerce and the marketplace agree on every SKU checked.', 'mirakl-connector-for-woocommerce' ); ?></p>
<?php else : ?>
<table class="widefat striped"><thead><tr><th><?php esc_html_e( 'SKU', 'mirakl-connector-for-woocommerce' ); ?></th><th class="num"><?php esc_html_e( 'WooCommerce', 'mirakl-connector-for-woocommerce' ); ?></th><th class="num"><?php esc_html_e( 'Last pushed', 'mirakl-connector-for-woocommerce' ); ?></th><th class="num"><?php esc_html_e( 'Marketplace', 'mirakl-connector-for-woocommerce' ); ?></th><th><?php esc_html_e( 'Why', 'mirakl-connector-for-woocommerce' ); ?></th></tr></thead><tbody>
	<?php foreach ( $args['rows'] as $row ) : ?>
<tr><td><?php View::render( 'html-entity-link', $row['entity'] ); ?></td>
		<?php foreach ( $row['quantities'] as $quantity ) : ?>
<td class="num"><?php echo esc_html( $quantity ); ?></td>
		<?php endforeach; ?>
<td><?php echo esc_html( $row['why'] ); ?></td></tr>
	<?php endforeach; ?>
</tbody></table>
<?php endif; ?>
</section>
