<?php
/**
 * The notice saying what keeps the connector inactive (WooCommerce, the extension, PHP...).
 *
 * @package MiraklConnector
 *
 * @var array $args unmet: the UnmetRequirement objects (code, title, fix).
 */

defined( 'ABSPATH' ) || exit;
?>
<div class="notice notice-error mirakl-connector-requirements"><p><strong><?php esc_html_e( 'Mirakl Connector for WooCommerce is inactive until the following is fixed:', 'mirakl-connector-for-woocommerce' ); ?></strong></p><ul style="list-style:disc;padding-left:2em">
<?php foreach ( $args['unmet'] as $requirement ) : ?>
<li data-requirement="<?php echo esc_attr( $requirement->code ); ?>"><strong><?php echo esc_html( $requirement->title ); ?></strong> <?php echo esc_html( $requirement->fix ); ?></li>
<?php endforeach; ?>
</ul></div>
