<?php
/**
 * A message carried from an admin action to the page it redirects to (the post/redirect/get
 * pattern), per user, read once. Never holds the API key.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * One-shot messages per user.
 */
final class Flash {

	private const PREFIX = 'mirakl_connector_flash_';

	/**
	 * Stores a message for the current user's next page.
	 *
	 * @param string $type    success, error, warning or info.
	 * @param string $message Plain text.
	 * @param array  $extra   Anything the page needs (errors by field, the values typed).
	 */
	public static function set( string $type, string $message, array $extra = array() ): void {
		set_transient(
			self::PREFIX . get_current_user_id(),
			array(
				'type'    => $type,
				'message' => $message,
			) + $extra,
			5 * MINUTE_IN_SECONDS
		);
	}

	/**
	 * Takes the current user's message, if any.
	 *
	 * @return array|null
	 */
	public static function take(): ?array {
		$key   = self::PREFIX . get_current_user_id();
		$flash = get_transient( $key );
		if ( false === $flash ) {
			return null;
		}
		delete_transient( $key );
		return is_array( $flash ) ? $flash : null;
	}

	/**
	 * Prints a message as a WordPress notice.
	 *
	 * @param array $flash A message from take().
	 */
	public static function render( array $flash ): void {
		$type = in_array( $flash['type'] ?? '', array( 'success', 'error', 'warning', 'info' ), true ) ? $flash['type'] : 'info';
		View::render(
			'html-notice-flash',
			array(
				'type'    => $type,
				'message' => (string) ( $flash['message'] ?? '' ),
				'errors'  => ! empty( $flash['errors'] ) && is_array( $flash['errors'] ) ? $flash['errors'] : array(),
			)
		);
	}
}
