<?php
/**
 * One section card of the settings form: its rows, and what follows the table.
 *
 * @package MiraklConnector
 *
 * @var array $args id, title, intro, rows (see FieldRenderer::row()), after (a template and its
 *                  args, or null).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card mirakl-section" id="mirakl-section-<?php echo esc_attr( $args['id'] ); ?>" data-section="<?php echo esc_attr( $args['id'] ); ?>"><h2><?php echo esc_html( $args['title'] ); ?></h2><p class="mirakl-intro"><?php echo esc_html( $args['intro'] ); ?></p><table class="form-table" role="presentation"><tbody>
<?php
foreach ( $args['rows'] as $row ) {
	View::render( 'settings/html-field-row', $row );
}
?>
</tbody></table>
<?php
if ( null !== $args['after'] ) {
	View::render( $args['after']['template'], $args['after']['args'] );
}
?>
</section>
