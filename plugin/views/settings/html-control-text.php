<?php
/**
 * A text field of the settings form.
 *
 * @package MiraklConnector
 *
 * @var array $args type, class, value, placeholder and inputmode (or null), field (attributes).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<input type="<?php echo esc_attr( $args['type'] ); ?>" class="<?php echo esc_attr( $args['class'] ); ?>" value="<?php echo esc_attr( $args['value'] ); ?>" <?php View::render( 'settings/html-field-attributes', $args['field'] ); ?><?php echo null !== $args['placeholder'] ? ' placeholder="' . esc_attr( $args['placeholder'] ) . '"' : ''; ?><?php echo null !== $args['inputmode'] ? ' inputmode="' . esc_attr( $args['inputmode'] ) . '"' : ''; ?>>
