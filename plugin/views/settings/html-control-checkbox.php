<?php
/**
 * One checkbox of the settings form.
 *
 * @package MiraklConnector
 *
 * @var array $args checked, text, field (attributes).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<label><input type="checkbox" value="1" <?php View::render( 'settings/html-field-attributes', $args['field'] ); ?><?php checked( $args['checked'] ); ?>> <?php echo esc_html( $args['text'] ); ?></label>
