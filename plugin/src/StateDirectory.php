<?php
/**
 * Where the connector keeps its SQLite state file: a private directory the web server must never
 * serve.
 *
 * The `MIRAKL_CONNECTOR_STATE_DIR` constant (wp-config.php) wins; set it to a directory outside
 * the document root where the host allows. Otherwise the directory is
 * `wp-content/mirakl-connector-<random>`: an unguessable name, deny-all files for Apache
 * (`.htaccess`) and IIS (`web.config`), and an `index.php`. On nginx, add the rule from the README
 * (`location ~ ^/wp-content/mirakl-connector-[0-9a-f]{32}/ { deny all; }`). Site Health shows
 * the path.
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
		// Owner only: the state file holds order payloads (names, addresses, phones). The core
		// creates the file itself 0600 and narrows an existing one.
		if ( ( fileperms( $path ) & 0777 ) !== 0700 ) {
			@chmod( $path, 0700 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors, WordPress.WP.AlternativeFunctions.file_system_operations_chmod -- best effort on hosts that forbid it.
		}
		foreach ( self::guards() as $name => $contents ) {
			$file = $path . '/' . $name;
			// Rewritten when it differs: earlier versions wrote a web.config IIS rejects.
			if ( ! file_exists( $file ) || file_get_contents( $file ) !== $contents ) { // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents
				file_put_contents( $file, $contents ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
			}
		}
		return true;
	}

	/**
	 * The deny-all files written into the directory: Apache (2.4 and 2.2 syntax), IIS (request
	 * filtering, which a folder web.config may set: no file of any extension is served, and the
	 * state files are hidden segments) and an index.php.
	 *
	 * @return array<string, string>
	 */
	public static function guards(): array {
		return array(
			'.htaccess'  => "Require all denied\nDeny from all\n",
			'web.config' => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n"
				. "  <system.webServer>\n    <security>\n      <requestFiltering>\n"
				. "        <fileExtensions allowUnlisted=\"false\" />\n"
				. "        <hiddenSegments>\n          <add segment=\"state.sqlite\" />\n"
				. "          <add segment=\"state.sqlite-wal\" />\n          <add segment=\"state.sqlite-shm\" />\n"
				. "        </hiddenSegments>\n      </requestFiltering>\n    </security>\n  </system.webServer>\n</configuration>\n",
			'index.php'  => "<?php\n// Silence is golden.\n",
		);
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
