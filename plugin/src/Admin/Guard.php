<?php
/**
 * The checks in front of every admin action: the user may manage WooCommerce and the request
 * carries this action's nonce. A refusal ends the request with a 403 and changes nothing.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Capability and nonce checks for admin-post actions.
 */
final class Guard {

	public const CAPABILITY = 'manage_woocommerce';

	/**
	 * Refuses the request unless the user can manage WooCommerce and the nonce matches.
	 *
	 * @param string $action Action name (also the nonce action).
	 */
	public static function authorize( string $action ): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die(
				esc_html__( 'You are not allowed to change the Mirakl connector.', 'mirakl-connector-for-woocommerce' ),
				esc_html__( 'Not allowed', 'mirakl-connector-for-woocommerce' ),
				array( 'response' => 403 )
			);
		}
		$nonce = isset( $_REQUEST['_wpnonce'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['_wpnonce'] ) ) : '';
		if ( ! wp_verify_nonce( $nonce, $action ) ) {
			wp_die(
				esc_html__( 'This link or form has expired. Go back, reload the page and try again.', 'mirakl-connector-for-woocommerce' ),
				esc_html__( 'Expired', 'mirakl-connector-for-woocommerce' ),
				array( 'response' => 403 )
			);
		}
	}

	/**
	 * Hidden fields of a form posting to admin-post.php for this action.
	 *
	 * @param string $action Action name.
	 */
	public static function form_fields( string $action ): string {
		return '<input type="hidden" name="action" value="' . esc_attr( $action ) . '">'
			. wp_nonce_field( $action, '_wpnonce', true, false );
	}

	/**
	 * Redirects and ends the request.
	 *
	 * @param string $url Admin URL.
	 */
	public static function redirect( string $url ): void {
		wp_safe_redirect( $url );
		exit;
	}
}
