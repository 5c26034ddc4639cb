<?php
/**
 * A list of checkboxes of the settings form, posting `mirakl[<name>][]`.
 *
 * @package MiraklConnector
 *
 * @var array $args label, class, choices (value => text), chosen (values ticked), field.
 */

defined( 'ABSPATH' ) || exit;
?>
<fieldset id="mirakl-field-<?php echo esc_attr( $args['field']['name'] ); ?>" class="mirakl-checkboxes <?php echo esc_attr( $args['class'] ); ?>"><legend class="screen-reader-text"><?php echo esc_html( $args['label'] ); ?></legend>
<?php foreach ( $args['choices'] as $value => $text ) : ?>
<label><input type="checkbox" name="mirakl[<?php echo esc_attr( $args['field']['name'] ); ?>][]" value="<?php echo esc_attr( (string) $value ); ?>"<?php checked( in_array( (string) $value, $args['chosen'], true ) ); ?>> <?php echo esc_html( (string) $text ); ?></label>
<?php endforeach; ?>
</fieldset>
