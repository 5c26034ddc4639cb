<?php
/**
 * The product screen's Mirakl box: per SKU, whether it is in sync, the quantities on each side,
 * and its open problems.
 *
 * @package MiraklConnector
 *
 * @var array $args states: per SKU, sku, badge ([severity, text] or null), rows (label => value),
 *                  last_error ('' for none), problems (open problem rows).
 */

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\ProblemKinds;

defined( 'ABSPATH' ) || exit;

if ( empty( $args['states'] ) ) : ?>
<p><?php esc_html_e( 'This product has no SKU, so it is not listed on Mirakl: the SKU joins WooCommerce and the marketplace.', 'mirakl-connector-for-woocommerce' ); ?></p>
	<?php
	return;
endif;
?>
<ul class="mirakl-sku-states">
<?php foreach ( $args['states'] as $state ) : ?>
<li class="mirakl-sku-state" data-sku="<?php echo esc_attr( $state['sku'] ); ?>"><code><?php echo esc_html( $state['sku'] ); ?></code>
	<?php if ( null !== $state['badge'] ) : ?>
<span class="mirakl-badge mirakl-badge-<?php echo esc_attr( $state['badge'][0] ); ?>"><?php echo esc_html( $state['badge'][1] ); ?></span>
	<?php endif; ?>
<dl class="mirakl-order-box">
	<?php foreach ( $state['rows'] as $label => $value ) : ?>
<dt><?php echo esc_html( $label ); ?></dt><dd><?php echo esc_html( $value ); ?></dd>
	<?php endforeach; ?>
</dl>
	<?php if ( '' !== $state['last_error'] ) : ?>
<p class="mirakl-text-critical"><?php echo esc_html( $state['last_error'] ); ?></p>
	<?php endif; ?>
	<?php foreach ( $state['problems'] as $problem ) : ?>
<p><span class="mirakl-badge mirakl-badge-<?php echo esc_attr( (string) $problem['severity'] ); ?>"><?php echo esc_html( ProblemKinds::label( (string) $problem['kind'] ) ); ?></span> <?php echo esc_html( (string) $problem['message'] ); ?></p>
	<?php endforeach; ?>
</li>
<?php endforeach; ?>
</ul>
<p><a href="<?php echo esc_url( DashboardPage::url() ); ?>"><?php esc_html_e( 'Mirakl dashboard', 'mirakl-connector-for-woocommerce' ); ?></a></p>
