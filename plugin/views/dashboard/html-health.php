<?php
/**
 * The dashboard's health cards: runner, queue, connection, problems, API budgets.
 *
 * @package MiraklConnector
 *
 * @var array $args cards: each id, title, status (good, warning, critical), value, lines, hint,
 *                  link (url and text, or null), check (the connection test's action, or '').
 */

use MiraklConnector\Admin\Guard;

defined( 'ABSPATH' ) || exit;
?>
<div class="mirakl-health-grid" aria-label="<?php esc_attr_e( 'Health', 'mirakl-connector-for-woocommerce' ); ?>">
<?php foreach ( $args['cards'] as $card ) : ?>
<div class="mirakl-card mirakl-health mirakl-status-<?php echo esc_attr( $card['status'] ); ?>" id="mirakl-health-<?php echo esc_attr( $card['id'] ); ?>"><h2><?php echo esc_html( $card['title'] ); ?></h2><p class="mirakl-health-value"><?php echo esc_html( $card['value'] ); ?></p><ul>
	<?php foreach ( $card['lines'] as $line ) : ?>
<li><?php echo esc_html( $line ); ?></li>
	<?php endforeach; ?>
</ul>
	<?php if ( '' !== $card['hint'] ) : ?>
<p class="mirakl-card-hint"><?php echo esc_html( $card['hint'] ); ?></p>
	<?php endif; ?>
	<?php if ( null !== $card['link'] ) : ?>
<p><a href="<?php echo esc_url( $card['link']['url'] ); ?>"><?php echo esc_html( $card['link']['text'] ); ?></a></p>
	<?php endif; ?>
	<?php if ( '' !== $card['check'] ) : ?>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>"><?php echo Guard::form_fields( $card['check'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields(). ?><button type="submit" class="button button-small" id="mirakl-check-connection"><?php esc_html_e( 'Test now', 'mirakl-connector-for-woocommerce' ); ?></button></form>
	<?php endif; ?>
</div>
<?php endforeach; ?>
</div>
