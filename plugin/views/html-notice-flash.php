<?php
/**
 * A message left by the last action, as a WordPress notice, with the fields it refused linked.
 *
 * @package MiraklConnector
 *
 * @var array $args type (success, error, warning, info), message, errors (field => error).
 */

defined( 'ABSPATH' ) || exit;
?>
<div class="notice notice-<?php echo esc_attr( $args['type'] ); ?> is-dismissible mirakl-flash" role="<?php echo 'error' === $args['type'] ? 'alert' : 'status'; ?>"><p><?php echo esc_html( $args['message'] ); ?></p>
<?php if ( ! empty( $args['errors'] ) ) : ?>
<ul class="mirakl-error-list">
	<?php foreach ( $args['errors'] as $field => $error ) : ?>
<li><a href="#mirakl-field-<?php echo esc_attr( (string) $field ); ?>"><?php echo esc_html( (string) $error ); ?></a></li>
	<?php endforeach; ?>
</ul>
<?php endif; ?>
</div>
