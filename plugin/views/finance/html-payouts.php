<?php
/**
 * The finance screen's payouts of the month, with what each settles.
 *
 * @package MiraklConnector
 *
 * @var array $args error (why the payouts could not be read, or null), payouts (each
 *                  transaction_id, currency, reference, reconciled, date, orders, expected_net,
 *                  amount_paid, difference, lines, explanation).
 */

use MiraklConnector\Admin\Format;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card mirakl-finance-payouts" id="mirakl-finance-payouts"><h2><?php esc_html_e( 'Payouts', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php if ( null !== $args['error'] ) : ?>
<p class="notice notice-error">
	<?php
	/* translators: %s: reason */
	echo esc_html( sprintf( __( 'The payouts could not be read: %s', 'mirakl-connector-for-woocommerce' ), $args['error'] ) );
	?>
</p>
<?php endif; ?>
<?php if ( empty( $args['payouts'] ) ) : ?>
<p class="mirakl-empty"><?php esc_html_e( 'No payout this month.', 'mirakl-connector-for-woocommerce' ); ?></p></section>
	<?php
	return;
endif;
?>
<table class="widefat striped mirakl-finance-table"><thead><tr>
<th scope="col"><?php esc_html_e( 'Date', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Reference', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Orders', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Expected net', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Amount paid', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'Difference', 'mirakl-connector-for-woocommerce' ); ?></th>
<th scope="col"><?php esc_html_e( 'What it settles', 'mirakl-connector-for-woocommerce' ); ?></th>
</tr></thead><tbody>
<?php foreach ( $args['payouts'] as $payout ) : ?>
<tr class="mirakl-payout <?php echo $payout['reconciled'] ? 'mirakl-reconciled' : 'mirakl-unreconciled'; ?>" data-payout="<?php echo esc_attr( $payout['transaction_id'] ); ?>">
<td><?php echo esc_html( Format::when( $payout['date'] ) ); ?></td>
<td><?php echo esc_html( $payout['reference'] ); ?></td>
<td class="mirakl-amount"><?php echo (int) $payout['orders']; ?></td>
<td class="mirakl-amount"><?php echo esc_html( Format::money( $payout['expected_net'], $payout['currency'] ) ); ?></td>
<td class="mirakl-amount"><?php echo esc_html( Format::money( $payout['amount_paid'], $payout['currency'] ) ); ?></td>
<td class="mirakl-amount mirakl-difference"><?php echo esc_html( Format::money( $payout['difference'], $payout['currency'] ) ); ?>
	<?php if ( $payout['reconciled'] ) : ?>
<span class="mirakl-ok"><?php esc_html_e( 'reconciled', 'mirakl-connector-for-woocommerce' ); ?></span>
	<?php endif; ?>
</td>
<td><ul class="mirakl-payout-lines">
	<?php foreach ( $payout['lines'] as $line ) : ?>
<li><?php echo esc_html( Format::payout_line_label( (string) $line['line'] ) ); ?>: <?php echo esc_html( Format::money( (string) $line['amount'], $payout['currency'] ) ); ?> <span class="mirakl-muted">(<?php echo (int) $line['transactions']; ?>)</span></li>
	<?php endforeach; ?>
</ul>
	<?php foreach ( $payout['explanation'] as $sentence ) : ?>
<p class="mirakl-explanation"><?php echo esc_html( $sentence ); ?></p>
	<?php endforeach; ?>
</td></tr>
<?php endforeach; ?>
</tbody></table></section>
