<?php
/**
 * The connector's log: WooCommerce's logger with the source `mirakl-connector` (WooCommerce →
 * Status → Logs), or PHP's error log when WooCommerce is not loaded. Messages never carry the
 * API key: callers log exception messages and ids, never settings.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Runner;

defined( 'ABSPATH' ) || exit;

/**
 * Writes log lines.
 */
final class Log {

	public const SOURCE = 'mirakl-connector';

	/**
	 * Logs at `$level` (debug, info, notice, warning, error).
	 *
	 * @param string $level   PSR-3 level name.
	 * @param string $message The message.
	 * @param array  $context Extra context (scalars).
	 */
	public static function write( string $level, string $message, array $context = array() ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->log( $level, $message, array( 'source' => self::SOURCE ) + $context );
			return;
		}
		error_log( 'mirakl-connector ' . $level . ': ' . $message ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
	}

	/**
	 * Logs an error.
	 *
	 * @param string $message The message.
	 */
	public static function error( string $message ): void {
		self::write( 'error', $message );
	}

	/**
	 * Logs a Throwable caught where it must not escape (a shopper's request, a cron run).
	 *
	 * @param string     $where What was being done.
	 * @param \Throwable $e     What was caught.
	 */
	public static function exception( string $where, \Throwable $e ): void {
		self::write( 'error', sprintf( '%s failed: %s: %s (code %s)', $where, get_class( $e ), $e->getMessage(), (string) $e->getCode() ) );
	}
}
