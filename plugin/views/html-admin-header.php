<?php
/**
 * A screen's title, its link to the other screen, and the message left by the last action.
 *
 * @package MiraklConnector
 *
 * @var array $args title, link (url and text), flash (a Flash message or null).
 */

use MiraklConnector\Admin\Flash;

defined( 'ABSPATH' ) || exit;
?>
<h1 class="wp-heading-inline"><?php echo esc_html( $args['title'] ); ?></h1>
<a class="page-title-action" href="<?php echo esc_url( $args['link']['url'] ); ?>"><?php echo esc_html( $args['link']['text'] ); ?></a>
<hr class="wp-header-end">
<?php
if ( null !== $args['flash'] ) {
	Flash::render( $args['flash'] );
}
