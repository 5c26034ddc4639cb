<?php
/**
 * Where the connector keeps its SQLite state file: a private directory the web server must never
 * serve.
 *
 * The `MIRAKL_CONNECTOR_STATE_DIR` constant (wp-config.php) wins; set it to a directory outside
 * the document root where the host allows. Otherwise the directory is
 * `wp-content/mirakl-connector-<random>`: an unguessable name, deny-all files for Apache
 * (`.htaccess`) and IIS (`web.config`), and an `index.php`. On nginx, add the rule from the README
 * (`location ~ /mirakl-connector- { deny all; }`). Site Health shows the path.
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
		return untrailingslashit( WP_CONTENT_DIR ) . '/mirakl-connector-' . self::secret();
	}

	/**
	 * The state directory's path if it has been decided already, without creating anything
	 * (for read-only screens such as Site Health); null before the first activation.
	 */
	public static function known_path(): ?string {
		if ( defined( 'MIRAKL_CONNECTOR_STATE_DIR' ) && '' !== (string) MIRAKL_CONNECTOR_STATE_DIR ) {
			return self::path();
		}
		$secret = get_option( self::SECRET_OPTION );
		return is_string( $secret ) && '' !== $secret ? self::path() : null;
	}

	/**
	 * The SQLite state file's path.
	 */
	public static function state_file(): string {
		return self::path() . '/state.sqlite';
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
