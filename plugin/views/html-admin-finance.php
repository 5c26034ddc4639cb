<?php
/**
 * The finance screen (WooCommerce → Mirakl finance): the month-end report finance closes from.
 *
 * @package MiraklConnector
 *
 * @var array $args flash (a Flash message or null), error (why the report could not be read, or
 *                  null), picker, import, figures, payouts, orders, settings: see
 *                  FinancePage::render().
 */

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\Flash;
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap mirakl-admin mirakl-finance">
<h1 class="wp-heading-inline"><?php esc_html_e( 'Mirakl finance', 'mirakl-connector-for-woocommerce' ); ?></h1>
<a class="page-title-action" href="<?php echo esc_url( DashboardPage::url() ); ?>"><?php esc_html_e( 'Dashboard', 'mirakl-connector-for-woocommerce' ); ?></a>
<hr class="wp-header-end">
<?php
if ( null !== $args['flash'] ) {
	Flash::render( $args['flash'] );
}
?>
<?php if ( null !== $args['error'] ) : ?>
<div class="notice notice-error"><p>
	<?php
	/* translators: %s: reason */
	echo esc_html( sprintf( __( 'The report could not be read: %s', 'mirakl-connector-for-woocommerce' ), $args['error'] ) );
	?>
</p></div>
<?php endif; ?>
<?php
View::render( 'finance/html-picker', $args['picker'] );
View::render( 'finance/html-import', $args['import'] );
View::render( 'finance/html-figures', $args['figures'] );
View::render( 'finance/html-payouts', $args['payouts'] );
View::render( 'finance/html-orders', $args['orders'] );
View::render( 'finance/html-settings', $args['settings'] );
?>
</div>
