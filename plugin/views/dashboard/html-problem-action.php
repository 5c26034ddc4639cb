<?php
/**
 * A small form posting one problem action (Retry, Resolve) with its nonce.
 *
 * @package MiraklConnector
 *
 * @var array $args action, id (the problem), label, class (the button's), confirm (a question to
 *                  ask first, or '').
 */

use MiraklConnector\Admin\Guard;

defined( 'ABSPATH' ) || exit;
?>
<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="mirakl-inline-form"><?php echo Guard::form_fields( $args['action'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields(). ?><input type="hidden" name="problem_id" value="<?php echo esc_attr( (string) $args['id'] ); ?>"><button type="submit" class="button button-small <?php echo esc_attr( $args['class'] ); ?>" data-problem="<?php echo esc_attr( (string) $args['id'] ); ?>"<?php echo '' !== $args['confirm'] ? ' data-confirm="' . esc_attr( $args['confirm'] ) . '"' : ''; ?>><?php echo esc_html( $args['label'] ); ?></button></form>
