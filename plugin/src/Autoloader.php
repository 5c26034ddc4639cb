<?php
/**
 * PSR-4 autoloader for the plugin's classes, so that the plugin needs no Composer at run time.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

defined( 'ABSPATH' ) || exit;

/**
 * Maps `MiraklConnector\Foo\Bar` to `src/Foo/Bar.php`.
 */
final class Autoloader {

	/**
	 * Registers the loader for one namespace prefix.
	 *
	 * @param string $prefix    Namespace prefix with a trailing backslash.
	 * @param string $directory Directory holding the prefix's classes, with a trailing slash.
	 */
	public static function register( string $prefix, string $directory ): void {
		spl_autoload_register(
			static function ( string $class ) use ( $prefix, $directory ): void {
				if ( ! str_starts_with( $class, $prefix ) ) {
					return;
				}
				$relative = substr( $class, strlen( $prefix ) );
				$file     = $directory . str_replace( '\\', '/', $relative ) . '.php';
				if ( is_file( $file ) ) {
					require $file;
				}
			}
		);
	}
}
