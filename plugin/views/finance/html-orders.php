<?php
/**
 * The finance screen's orders behind the figures, linked to their WooCommerce order.
 *
 * @package MiraklConnector
 *
 * @var array $args rows (the report's order rows, each with edit_url, '' without a WooCommerce
 *                  order), total (all the month's orders), columns (figure key => heading).
 */

use MiraklConnector\Admin\Format;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card mirakl-finance-orders" id="mirakl-finance-orders"><h2><?php esc_html_e( 'Orders this month', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php if ( empty( $args['rows'] ) ) : ?>
<p class="mirakl-empty"><?php esc_html_e( 'No order has transactions this month.', 'mirakl-connector-for-woocommerce' ); ?></p></section>
	<?php
	return;
endif;
?>
<table class="widefat striped mirakl-finance-table"><thead><tr>
<th scope="col"><?php esc_html_e( 'Mirakl order', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'WooCommerce order', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Match', 'mirakl-connector-for-woocommerce' ); ?></th>
<?php foreach ( $args['columns'] as $heading ) : ?>
<th scope="col"><?php echo esc_html( $heading ); ?></th>
<?php endforeach; ?>
</tr></thead><tbody>
<?php
foreach ( $args['rows'] as $row ) :
	$mirakl_status   = (string) ( $row['status'] ?? '' );
	$mirakl_currency = (string) ( $row['currency'] ?? '' );
	?>
<tr class="mirakl-finance-order mirakl-status-<?php echo esc_attr( $mirakl_status ); ?>">
<td><?php echo esc_html( (string) $row['mirakl_order_id'] ); ?></td>
	<?php if ( '' !== $row['edit_url'] ) : ?>
<td><a href="<?php echo esc_url( $row['edit_url'] ); ?>">#<?php echo (int) $row['wc_order_id']; ?></a></td>
	<?php else : ?>
<td>—</td>
	<?php endif; ?>
<td><span class="mirakl-match mirakl-match-<?php echo esc_attr( $mirakl_status ); ?>"><?php echo esc_html( Format::match_status_label( $mirakl_status ) ); ?></span></td>
	<?php foreach ( array_keys( $args['columns'] ) as $key ) : ?>
<td class="mirakl-amount"><?php echo esc_html( Format::money( (string) ( $row[ $key ] ?? '0' ), $mirakl_currency ) ); ?></td>
	<?php endforeach; ?>
</tr>
<?php endforeach; ?>
</tbody></table>
<?php if ( $args['total'] > count( $args['rows'] ) ) : ?>
<p class="description">
	<?php
	/* translators: 1: rows shown, 2: all rows */
	echo esc_html( sprintf( __( 'The first %1$d of %2$d orders; the orders CSV has them all.', 'mirakl-connector-for-woocommerce' ), count( $args['rows'] ), $args['total'] ) );
	?>
</p>
<?php endif; ?>
</section>
