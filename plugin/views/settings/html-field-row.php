<?php
/**
 * One row of the settings form: the label, the control, its help and its error.
 *
 * @package MiraklConnector
 *
 * @var array $args control (the control's template), name, label, for (whether the label points
 *                  at one control), help ('' for none), error ('' for none), args (the control's).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<tr class="mirakl-row<?php echo '' !== $args['error'] ? ' mirakl-invalid' : ''; ?>" data-field="<?php echo esc_attr( $args['name'] ); ?>"><th scope="row">
<?php if ( $args['for'] ) : ?>
<label for="mirakl-field-<?php echo esc_attr( $args['name'] ); ?>"><?php echo esc_html( $args['label'] ); ?></label>
<?php else : ?>
	<?php echo esc_html( $args['label'] ); ?>
<?php endif; ?>
</th><td>
<?php View::render( $args['control'], $args['args'] ); ?>
<?php if ( '' !== $args['help'] ) : ?>
<p class="description" id="mirakl-help-<?php echo esc_attr( $args['name'] ); ?>"><?php echo esc_html( $args['help'] ); ?></p>
<?php endif; ?>
<?php if ( '' !== $args['error'] ) : ?>
<p class="mirakl-field-error" id="mirakl-error-<?php echo esc_attr( $args['name'] ); ?>" role="alert"><?php echo esc_html( $args['error'] ); ?></p>
<?php endif; ?>
</td></tr>
