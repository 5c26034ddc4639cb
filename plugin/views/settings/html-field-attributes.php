<?php
/**
 * The attributes every settings control carries: id, name, what describes it, whether it is
 * invalid.
 *
 * @package MiraklConnector
 *
 * @var array $args name, describedby, invalid.
 */

defined( 'ABSPATH' ) || exit;
?>
id="mirakl-field-<?php echo esc_attr( $args['name'] ); ?>" name="mirakl[<?php echo esc_attr( $args['name'] ); ?>]" aria-describedby="<?php echo esc_attr( $args['describedby'] ); ?>"<?php echo $args['invalid'] ? ' aria-invalid="true"' : ''; ?>
