<?php
/**
 * The settings screen (WooCommerce → Mirakl settings): tabs, one card per section, one form.
 *
 * @package MiraklConnector
 *
 * @var array $args flash (a Flash message or null), tabs (section id => title), sections (see
 *                  FieldRenderer::sections()), save (the save action), forms (the actions posted by
 *                  forms of their own: test connection, refresh carriers).
 */

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\Flash;
use MiraklConnector\Admin\Guard;
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap mirakl-admin mirakl-settings">
<h1><?php esc_html_e( 'Mirakl settings', 'mirakl-connector-for-woocommerce' ); ?></h1>
<?php
if ( null !== $args['flash'] ) {
	Flash::render( $args['flash'] );
}
?>
<nav class="nav-tab-wrapper mirakl-tabs" aria-label="<?php esc_attr_e( 'Settings sections', 'mirakl-connector-for-woocommerce' ); ?>">
<?php foreach ( $args['tabs'] as $mirakl_id => $mirakl_label ) : ?>
<a class="nav-tab" href="#mirakl-section-<?php echo esc_attr( $mirakl_id ); ?>" data-section="<?php echo esc_attr( $mirakl_id ); ?>"><?php echo esc_html( $mirakl_label ); ?></a>
<?php endforeach; ?>
<a class="nav-tab mirakl-tab-link" href="<?php echo esc_url( DashboardPage::url() ); ?>"><?php esc_html_e( 'Dashboard →', 'mirakl-connector-for-woocommerce' ); ?></a>
</nav>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" id="mirakl-settings-form" novalidate>
<?php echo Guard::form_fields( $args['save'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields(). ?>
<?php
foreach ( $args['sections'] as $mirakl_section ) {
	View::render( 'settings/html-section', $mirakl_section );
}
?>
<p class="submit mirakl-submit"><button type="submit" class="button button-primary" id="mirakl-save"><?php esc_html_e( 'Save all settings', 'mirakl-connector-for-woocommerce' ); ?></button> <span class="description"><?php esc_html_e( 'Every section is checked before anything is saved.', 'mirakl-connector-for-woocommerce' ); ?></span></p>
</form>
<?php foreach ( $args['forms'] as $mirakl_action ) : ?>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" id="<?php echo esc_attr( str_replace( '_', '-', $mirakl_action ) ); ?>"><?php echo Guard::form_fields( $mirakl_action ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields(). ?></form>
<?php endforeach; ?>
</div>
