<?php
/**
 * The operations dashboard (WooCommerce → Mirakl).
 *
 * @package MiraklConnector
 *
 * @var array $args flash (a Flash message or null), connected (bool), health_error (the reason the
 *                  health could not be read, or null), cards, problems, orders_at_risk,
 *                  stock_drift, chart (orders per day), activity: see DashboardPage::render().
 */

use MiraklConnector\Admin\Chart;
use MiraklConnector\Admin\SettingsPage;
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap mirakl-admin mirakl-dashboard">
<?php
View::render(
	'html-admin-header',
	array(
		'title' => __( 'Mirakl', 'mirakl-connector-for-woocommerce' ),
		'link'  => array(
			'url'  => SettingsPage::url(),
			'text' => __( 'Settings', 'mirakl-connector-for-woocommerce' ),
		),
		'flash' => $args['flash'],
	)
);
?>
<?php if ( ! $args['connected'] ) : ?>
<div class="notice notice-info mirakl-onboarding"><p><strong><?php esc_html_e( 'Not connected to Mirakl yet.', 'mirakl-connector-for-woocommerce' ); ?></strong> <?php esc_html_e( 'Enter your shop API URL and key, then test the connection.', 'mirakl-connector-for-woocommerce' ); ?> <a class="button button-primary" href="<?php echo esc_url( SettingsPage::url( 'mirakl-section-connection' ) ); ?>"><?php esc_html_e( 'Connect', 'mirakl-connector-for-woocommerce' ); ?></a></p></div>
<?php endif; ?>
<?php if ( null !== $args['health_error'] ) : ?>
<div class="notice notice-error"><p><?php esc_html_e( 'The connector\'s state could not be read:', 'mirakl-connector-for-woocommerce' ); ?> <?php echo esc_html( $args['health_error'] ); ?></p></div>
<?php endif; ?>
<?php View::render( 'dashboard/html-health', array( 'cards' => $args['cards'] ) ); ?>
<div class="mirakl-columns">
<div class="mirakl-main">
<?php
View::render( 'dashboard/html-problems', $args['problems'] );
View::render( 'dashboard/html-orders-at-risk', $args['orders_at_risk'] );
View::render( 'dashboard/html-stock-drift', $args['stock_drift'] );
?>
</div>
<div class="mirakl-side">
<section class="mirakl-card" id="mirakl-chart"><h2><?php esc_html_e( 'Last two weeks', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php echo Chart::svg( $args['chart'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts in Chart. ?>
<p class="description"><?php esc_html_e( 'Marketplace orders per day, counted from WooCommerce.', 'mirakl-connector-for-woocommerce' ); ?></p>
</section>
<?php View::render( 'dashboard/html-activity', array( 'events' => $args['activity'] ) ); ?>
</div>
</div>
</div>
