<?php
/**
 * The finance screen's month-end figures, one column per currency.
 *
 * @package MiraklConnector
 *
 * @var array $args period (YYYY-MM), currency ('' for all), currencies (the report's figures per
 *                  currency), labels (figure key => [label, row class]).
 */

use MiraklConnector\Admin\Format;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card mirakl-finance-figures" id="mirakl-finance-figures"><h2>
<?php
/* translators: %s: month (YYYY-MM) */
echo esc_html( sprintf( __( 'Month-end report %s', 'mirakl-connector-for-woocommerce' ), $args['period'] ) );
?>
</h2>
<?php if ( empty( $args['currencies'] ) ) : ?>
<p class="mirakl-empty">
	<?php
	echo esc_html(
		'' === $args['currency']
			? __( 'No Mirakl transaction is dated in this month. Import the ledger, or pick another month.', 'mirakl-connector-for-woocommerce' )
			/* translators: %s: currency */
			: sprintf( __( 'No Mirakl transaction in %s is dated in this month.', 'mirakl-connector-for-woocommerce' ), $args['currency'] )
	);
	?>
</p></section>
	<?php
	return;
endif;
?>
<table class="widefat striped mirakl-finance-table"><thead><tr><th scope="col"><?php esc_html_e( 'Figure', 'mirakl-connector-for-woocommerce' ); ?></th>
<?php foreach ( $args['currencies'] as $figures ) : ?>
<th scope="col" class="mirakl-amount" data-currency="<?php echo esc_attr( (string) $figures['currency'] ); ?>"><?php echo esc_attr( (string) $figures['currency'] ); ?></th>
<?php endforeach; ?>
</tr></thead><tbody>
<?php foreach ( $args['labels'] as $key => [ $label, $class ] ) : ?>
<tr class="mirakl-figure-<?php echo esc_attr( $key ); ?> <?php echo esc_attr( $class ); ?>"><th scope="row"><?php echo esc_html( $label ); ?></th>
	<?php foreach ( $args['currencies'] as $figures ) : ?>
<td class="mirakl-amount" data-figure="<?php echo esc_attr( $key ); ?>"><?php echo esc_html( Format::money( (string) ( $figures[ $key ] ?? '0' ), (string) $figures['currency'] ) ); ?></td>
	<?php endforeach; ?>
</tr>
<?php endforeach; ?>
<tr class="mirakl-figure-counts"><th scope="row"><?php esc_html_e( 'Transactions / orders / payouts', 'mirakl-connector-for-woocommerce' ); ?></th>
<?php foreach ( $args['currencies'] as $figures ) : ?>
<td class="mirakl-amount"><?php echo (int) ( $figures['transactions'] ?? 0 ); ?> / <?php echo (int) ( $figures['orders'] ?? 0 ); ?> / <?php echo (int) ( $figures['payouts'] ?? 0 ); ?></td>
<?php endforeach; ?>
</tr></tbody></table>
<p class="description"><?php esc_html_e( 'Amounts are from the seller\'s side of the Mirakl balance: credits positive, debits (refunds, commissions, fees) negative. Net revenue is everything Mirakl credited minus everything it debited this month, payouts aside; the balance still owed is the opening balance plus net revenue minus payouts received. Months are UTC calendar months; currencies are never mixed.', 'mirakl-connector-for-woocommerce' ); ?></p>
</section>
