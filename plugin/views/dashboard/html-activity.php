<?php
/**
 * The dashboard's recent activity, newest first.
 *
 * @package MiraklConnector
 *
 * @var array $args events: each at (RFC 3339), status (done, failed, problem), message, entity (or
 *                  null when there is nothing to link to).
 */

use MiraklConnector\Admin\Format;
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card" id="mirakl-activity"><h2><?php esc_html_e( 'Recent activity', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php if ( empty( $args['events'] ) ) : ?>
<p class="mirakl-empty"><?php esc_html_e( 'Nothing yet.', 'mirakl-connector-for-woocommerce' ); ?></p>
<?php else : ?>
<ul class="mirakl-activity">
	<?php foreach ( $args['events'] as $event ) : ?>
<li class="mirakl-event mirakl-event-<?php echo esc_attr( $event['status'] ); ?>"><time datetime="<?php echo esc_attr( $event['at'] ); ?>" title="<?php echo esc_attr( Format::when( $event['at'] ) ); ?>"><?php echo esc_html( Format::ago( $event['at'] ) ); ?></time> <?php echo esc_html( $event['message'] ); ?>
		<?php if ( null !== $event['entity'] ) : ?>
· <?php View::render( 'html-entity-link', $event['entity'] ); ?>
		<?php endif; ?>
</li>
	<?php endforeach; ?>
</ul>
<?php endif; ?>
</section>
