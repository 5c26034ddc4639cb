<?php
/**
 * Where the connector keeps its SQLite state file: a directory the web server never serves.
 *
 * The `MIRAKL_CONNECTOR_STATE_DIR` constant (wp-config.php) wins. Otherwise the directory sits
 * beside the WordPress root, outside the document root. Only when that parent is not writable
 * does it fall back to wp-content, under an unguessable name and with deny-all files for Apache
 * and IIS; Site Health shows the path so an administrator can move it.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

defined( 'ABSPATH' ) || exit;

/**
 * Resolves and prepares the state directory.
 */
final class StateDirectory {

	public const SECRET_OPTION = 'mirakl_connector_state_secret';

	/**
	 * The state directory's absolute path (not necessarily created yet).
	 */
	public static function path(): string {
		if ( defined( 'MIRAKL_CONNECTOR_STATE_DIR' ) && '' !== (string) MIRAKL_CONNECTOR_STATE_DIR ) {
			return untrailingslashit( (string) MIRAKL_CONNECTOR_STATE_DIR );
		}
		$outside = dirname( untrailingslashit( ABSPATH ) ) . '/mirakl-connector-state';
		if ( is_dir( $outside ) || wp_is_writable( dirname( $outside ) ) ) {
			return $outside;
		}
		return untrailingslashit( WP_CONTENT_DIR ) . '/mirakl-connector-' . self::secret();
	}

	/**
	 * The SQLite state file's path.
	 */
	public static function state_file(): string {
		return self::path() . '/state.sqlite';
	}

	/**
	 * Whether the directory lies inside the WordPress document root.
	 */
	public static function is_web_reachable(): bool {
		return str_starts_with( wp_normalize_path( self::path() ) . '/', wp_normalize_path( trailingslashit( ABSPATH ) ) );
	}

	/**
	 * Creates the directory with deny-all guards. Returns false when it cannot be created.
	 */
	public static function ensure(): bool {
		$path = self::path();
		if ( ! is_dir( $path ) && ! wp_mkdir_p( $path ) ) {
			return false;
		}
		$guards = array(
			'.htaccess'  => "Require all denied\nDeny from all\n",
			'web.config' => "<?xml version=\"1.0\"?>\n<configuration><system.webServer><authorization><deny users=\"*\" /></authorization></system.webServer></configuration>\n",
			'index.php'  => "<?php\n// Silence is golden.\n",
		);
		foreach ( $guards as $name => $contents ) {
			$file = $path . '/' . $name;
			if ( ! file_exists( $file ) ) {
				file_put_contents( $file, $contents ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
			}
		}
		return true;
	}

	/**
	 * Removes the directory and everything the connector put in it.
	 */
	public static function remove(): void {
		$path = self::path();
		if ( ! is_dir( $path ) ) {
			return;
		}
		$names = array( 'state.sqlite', 'state.sqlite-wal', 'state.sqlite-shm', '.htaccess', 'web.config', 'index.php' );
		foreach ( $names as $name ) {
			if ( is_file( $path . '/' . $name ) ) {
				wp_delete_file( $path . '/' . $name );
			}
		}
		@rmdir( $path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- left in place if anything else is inside.
	}

	/**
	 * A random name part, created once and kept (autoload off).
	 */
	private static function secret(): string {
		$secret = get_option( self::SECRET_OPTION );
		if ( ! is_string( $secret ) || ! preg_match( '/^[a-f0-9]{32}$/', $secret ) ) {
			$secret = bin2hex( random_bytes( 16 ) );
			update_option( self::SECRET_OPTION, $secret, false );
		}
		return $secret;
	}
}
