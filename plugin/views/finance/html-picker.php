<?php
/**
 * The finance screen's month and currency picker, and the CSV downloads.
 *
 * @package MiraklConnector
 *
 * @var array $args slug (the page), period (YYYY-MM), currency ('' for all), downloads (each
 *                  kind, url, label).
 */

defined( 'ABSPATH' ) || exit;
?>
<form method="get" class="mirakl-finance-picker" action="<?php echo esc_url( admin_url( 'admin.php' ) ); ?>">
<input type="hidden" name="page" value="<?php echo esc_attr( $args['slug'] ); ?>">
<label for="mirakl-finance-month"><?php esc_html_e( 'Month', 'mirakl-connector-for-woocommerce' ); ?></label>
<input type="month" id="mirakl-finance-month" name="month" value="<?php echo esc_attr( $args['period'] ); ?>" required>
<label for="mirakl-finance-currency"><?php esc_html_e( 'Currency', 'mirakl-connector-for-woocommerce' ); ?></label>
<input type="text" id="mirakl-finance-currency" name="currency" value="<?php echo esc_attr( $args['currency'] ); ?>" size="4" maxlength="3" pattern="[A-Za-z]{3}" placeholder="<?php esc_attr_e( 'all', 'mirakl-connector-for-woocommerce' ); ?>">
<button type="submit" class="button"><?php esc_html_e( 'Show', 'mirakl-connector-for-woocommerce' ); ?></button>
<span class="mirakl-finance-downloads"><?php echo esc_html__( 'Download CSV:', 'mirakl-connector-for-woocommerce' ) . ' '; ?>
<?php foreach ( $args['downloads'] as $download ) : ?>
<a class="button mirakl-csv mirakl-csv-<?php echo esc_attr( $download['kind'] ); ?>" href="<?php echo esc_url( $download['url'] ); ?>"><?php echo esc_html( $download['label'] ); ?></a>
<?php endforeach; ?>
</span></form>
