<?php
/**
 * What the plugin needs before it may do anything: PHP 8.1+, the native extension of the same
 * version, and an active WooCommerce. While any is missing the plugin stays inert and explains
 * the exact fix; it never fatals the site.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Checks the requirements and describes each one that is not met.
 */
class Requirements {

	public const MIN_WOOCOMMERCE = '7.9';

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->bridge = $bridge;
	}

	/**
	 * The unmet requirements, most fundamental first; empty when the plugin may run.
	 *
	 * @return UnmetRequirement[]
	 */
	public function unmet(): array {
		$unmet = array();
		if ( ! $this->bridge->is_loaded() ) {
			$unmet[] = $this->extension_missing();
		} elseif ( ! $this->bridge->matches_plugin() ) {
			$unmet[] = $this->extension_mismatch( (string) $this->bridge->version() );
		}
		if ( ! $this->woocommerce_active() ) {
			$unmet[] = new UnmetRequirement(
				'woocommerce_missing',
				__( 'WooCommerce is not active.', 'mirakl-connector-for-woocommerce' ),
				sprintf(
					/* translators: %s: minimum WooCommerce version */
					__( 'Install and activate WooCommerce %s or later (Plugins → Add New → WooCommerce). The connector starts by itself once WooCommerce is active.', 'mirakl-connector-for-woocommerce' ),
					self::MIN_WOOCOMMERCE
				)
			);
		} elseif ( version_compare( $this->woocommerce_version(), self::MIN_WOOCOMMERCE, '<' ) ) {
			$unmet[] = new UnmetRequirement(
				'woocommerce_version',
				sprintf(
					/* translators: %s: running WooCommerce version */
					__( 'WooCommerce %s is too old for the connector.', 'mirakl-connector-for-woocommerce' ),
					$this->woocommerce_version()
				),
				sprintf(
					/* translators: %s: minimum WooCommerce version */
					__( 'Update WooCommerce to %s or later.', 'mirakl-connector-for-woocommerce' ),
					self::MIN_WOOCOMMERCE
				)
			);
		}
		return $unmet;
	}

	/**
	 * Whether WooCommerce is loaded in this request.
	 */
	protected function woocommerce_active(): bool {
		return class_exists( 'WooCommerce' );
	}

	/**
	 * The running WooCommerce version.
	 */
	protected function woocommerce_version(): string {
		return defined( 'WC_VERSION' ) ? (string) WC_VERSION : '0';
	}

	/**
	 * The file name of the extension build that fits this PHP, as shipped in the plugin's bin/.
	 */
	public static function extension_file_name(): string {
		return sprintf(
			'mirakl_connector-php%d.%d-%s-%s.so',
			PHP_MAJOR_VERSION,
			PHP_MINOR_VERSION,
			PHP_ZTS ? 'zts' : 'nts',
			php_uname( 'm' )
		);
	}

	/**
	 * How to install the extension, with the exact line to add to php.ini.
	 */
	private function extension_missing(): UnmetRequirement {
		$bundled = MIRAKL_CONNECTOR_DIR . '/bin/' . self::extension_file_name();
		$ini     = php_ini_loaded_file();
		if ( is_file( $bundled ) ) {
			$source = sprintf(
				/* translators: %s: path of the extension file shipped with the plugin */
				__( 'The plugin ships a build for this PHP at %s.', 'mirakl-connector-for-woocommerce' ),
				$bundled
			);
			$line = 'extension=' . $bundled;
		} else {
			$source = sprintf(
				/* translators: 1: PHP version, 2: build command */
				__( 'No build for PHP %1$s ships with this copy of the plugin: build one from the connector\'s source with `%2$s` (it produces target/release/libmirakl_connector.so).', 'mirakl-connector-for-woocommerce' ),
				PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . ( PHP_ZTS ? ' ZTS' : '' ),
				'cargo build --release --features php'
			);
			$line = 'extension=/path/to/libmirakl_connector.so';
		}
		return new UnmetRequirement(
			'extension_missing',
			__( 'The Mirakl connector PHP extension (mirakl_connector) is not loaded, so the connector is inactive.', 'mirakl-connector-for-woocommerce' ),
			$source . ' ' . sprintf(
				/* translators: 1: php.ini line, 2: loaded php.ini path */
				__( 'Add the line "%1$s" to php.ini for both PHP-FPM (or your web server\'s PHP) and the command line — this site\'s php.ini is %2$s; "php --ini" lists the others — then restart PHP-FPM or the web server.', 'mirakl-connector-for-woocommerce' ),
				$line,
				$ini ? $ini : __( '(none loaded)', 'mirakl-connector-for-woocommerce' )
			)
		);
	}

	/**
	 * How to fix an extension of another version than the plugin.
	 *
	 * @param string $loaded The loaded extension's version.
	 */
	private function extension_mismatch( string $loaded ): UnmetRequirement {
		return new UnmetRequirement(
			'extension_version',
			sprintf(
				/* translators: 1: loaded extension version, 2: plugin version */
				__( 'The mirakl_connector extension loaded is version %1$s but the plugin is version %2$s.', 'mirakl-connector-for-woocommerce' ),
				$loaded,
				MIRAKL_CONNECTOR_VERSION
			),
			sprintf(
				/* translators: %s: file name of the extension build */
				__( 'Point the extension= line in php.ini at the %s shipped in this plugin\'s bin/ folder (or rebuild the extension from the same release), then restart PHP-FPM or the web server.', 'mirakl-connector-for-woocommerce' ),
				self::extension_file_name()
			)
		);
	}
}
