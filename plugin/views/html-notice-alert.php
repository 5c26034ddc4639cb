<?php
/**
 * One critical admin notice (a critical problem, a stopped runner) with a link to the dashboard.
 *
 * @package MiraklConnector
 *
 * @var array $args alert (its data-alert name), title (in bold), text ('' for none), url, link
 *                  (the link's text).
 */

defined( 'ABSPATH' ) || exit;
?>
<div class="notice notice-error mirakl-alert" data-alert="<?php echo esc_attr( $args['alert'] ); ?>"><p><strong><?php echo esc_html( $args['title'] ); ?></strong> <?php echo '' !== $args['text'] ? esc_html( $args['text'] ) . ' ' : ''; ?><a href="<?php echo esc_url( $args['url'] ); ?>"><?php echo esc_html( $args['link'] ); ?></a></p></div>
