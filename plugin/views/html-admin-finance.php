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
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap mirakl-admin mirakl-finance">
<?php
View::render(
	'html-admin-header',
	array(
		'title' => __( 'Mirakl finance', 'mirakl-connector-for-woocommerce' ),
		'link'  => array(
			'url'  => DashboardPage::url(),
			'text' => __( 'Dashboard', 'mirakl-connector-for-woocommerce' ),
		),
		'flash' => $args['flash'],
	)
);
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
