<?php
/**
 * What a problem or a row is about: a link to the WooCommerce order or product, or its name.
 *
 * @package MiraklConnector
 *
 * @var array $args url ('' when there is nothing to link to), text.
 */

defined( 'ABSPATH' ) || exit;

if ( '' === $args['url'] ) {
	echo '<span class="mirakl-entity">' . esc_html( $args['text'] ) . '</span>';
} else {
	echo '<a class="mirakl-entity" href="' . esc_url( $args['url'] ) . '">' . esc_html( $args['text'] ) . '</a>';
}
