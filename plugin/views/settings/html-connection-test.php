<?php
/**
 * The connection section's "Test connection" button and the outcome of the last test.
 *
 * @package MiraklConnector
 *
 * @var array $args last: the last test (ok, shop_name, shop_state, at, message) or null.
 */

use MiraklConnector\Admin\Format;

defined( 'ABSPATH' ) || exit;

$mirakl_last = $args['last'];
?>
<div class="mirakl-connection-test"><button type="submit" class="button" form="mirakl-connector-test-connection" id="mirakl-test-connection"><?php esc_html_e( 'Test connection', 'mirakl-connector-for-woocommerce' ); ?></button> <span class="description"><?php esc_html_e( 'Tests the saved settings: save first after a change.', 'mirakl-connector-for-woocommerce' ); ?></span>
<?php if ( null !== $mirakl_last ) : ?>
<p class="mirakl-connection-status" data-ok="<?php echo $mirakl_last['ok'] ? '1' : '0'; ?>">
	<?php if ( $mirakl_last['ok'] ) : ?>
<span class="mirakl-badge mirakl-badge-good"><?php esc_html_e( 'Connected', 'mirakl-connector-for-woocommerce' ); ?></span>
		<?php
		/* translators: 1: shop name, 2: shop state, 3: time ago */
		echo esc_html( sprintf( __( '%1$s — state %2$s — tested %3$s', 'mirakl-connector-for-woocommerce' ), $mirakl_last['shop_name'], $mirakl_last['shop_state'], Format::ago_time( (int) $mirakl_last['at'] ) ) );
		?>
	<?php else : ?>
<span class="mirakl-badge mirakl-badge-critical"><?php esc_html_e( 'Not connected', 'mirakl-connector-for-woocommerce' ); ?></span> <?php echo esc_html( $mirakl_last['message'] ); ?>
	<?php endif; ?>
</p>
<?php endif; ?>
</div>
