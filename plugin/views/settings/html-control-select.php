<?php
/**
 * A select of the settings form.
 *
 * @package MiraklConnector
 *
 * @var array $args current (the value chosen), choices (value => text), field (attributes).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<select <?php View::render( 'settings/html-field-attributes', $args['field'] ); ?>>
<?php foreach ( $args['choices'] as $value => $text ) : ?>
<option value="<?php echo esc_attr( (string) $value ); ?>"<?php selected( $args['current'], (string) $value ); ?>><?php echo esc_html( (string) $text ); ?></option>
<?php endforeach; ?>
</select>
