<?php
/**
 * A whole-number field of the settings form, with its unit.
 *
 * @package MiraklConnector
 *
 * @var array $args value, unit, field (attributes).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<input type="text" inputmode="numeric" class="small-text" value="<?php echo esc_attr( $args['value'] ); ?>" <?php View::render( 'settings/html-field-attributes', $args['field'] ); ?>> <span class="mirakl-unit" id="mirakl-help-<?php echo esc_attr( $args['field']['name'] ); ?>"><?php echo esc_html( $args['unit'] ); ?></span>
