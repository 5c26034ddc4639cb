<?php
/**
 * The only class that touches the native extension. Everything else asks this bridge, so that a
 * missing or mismatched extension is detected in one place and never fatals the site.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Native;

defined( 'ABSPATH' ) || exit;

/**
 * Thin facade over the `MiraklConnector\Native\*` functions and the native `Engine` of the
 * extension. The engine is built lazily from the stored settings on first use in a request; the
 * extension itself keeps one SQLite connection per PHP process.
 */
class Bridge {

	public const EXTENSION = 'mirakl_connector';

	/**
	 * The native engine, once built in this request.
	 *
	 * @var \MiraklConnector\Native\Engine|null
	 */
	private $engine = null;

	/**
	 * Whether the extension is loaded into this PHP process.
	 */
	public function is_loaded(): bool {
		return extension_loaded( self::EXTENSION ) && function_exists( 'MiraklConnector\\Native\\version' );
	}

	/**
	 * The loaded extension's version, or null when it is not loaded.
	 */
	public function version(): ?string {
		return $this->is_loaded() ? \MiraklConnector\Native\version() : null;
	}

	/**
	 * Whether the loaded extension is the version this plugin was released with.
	 */
	public function matches_plugin(): bool {
		return $this->version() === MIRAKL_CONNECTOR_VERSION;
	}

	/**
	 * Validates connection settings in the core and returns them normalised.
	 *
	 * @param array $settings Raw settings (api_url, api_key, shop_id, connect_timeout, timeout).
	 * @return array Normalised settings.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 * @throws \RuntimeException When the extension is not loaded.
	 */
	public function validate_settings( array $settings ): array {
		$this->require_loaded();
		return \MiraklConnector\Native\validate_settings( $settings );
	}

	/**
	 * Validates sync settings (stock buffer, acceptance window, carrier map, ...) in the core.
	 *
	 * @param array $settings Raw sync settings; missing keys take their defaults.
	 * @return array Normalised sync settings, every key present.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 */
	public function validate_sync_settings( array $settings ): array {
		$this->require_loaded();
		return \MiraklConnector\Native\validate_sync_settings( $settings );
	}

	/**
	 * Validates finance settings (commission posting, rounding tolerance, import schedule).
	 *
	 * @param array $settings Raw finance settings; missing keys take their defaults.
	 * @return array Normalised finance settings.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 */
	public function validate_finance_settings( array $settings ): array {
		$this->require_loaded();
		return \MiraklConnector\Native\validate_finance_settings( $settings );
	}

	/**
	 * The native engine for this site, built from the stored settings and the state file.
	 * Events can be recorded before the connection is configured; calls that need Mirakl throw
	 * SettingsException until it is.
	 *
	 * @return \MiraklConnector\Native\Engine
	 * @throws \MiraklConnector\Native\NativeException When the state file cannot be opened.
	 */
	public function engine() {
		if ( null === $this->engine ) {
			$this->require_loaded();
			\MiraklConnector\StateDirectory::ensure();
			$connection   = get_option( \MiraklConnector\Lifecycle::OPTION_SETTINGS, array() );
			$sync         = get_option( \MiraklConnector\Lifecycle::OPTION_SYNC_SETTINGS, array() );
			$finance      = get_option( \MiraklConnector\Lifecycle::OPTION_FINANCE_SETTINGS, array() );
			$this->engine = new \MiraklConnector\Native\Engine(
				is_array( $connection ) ? $connection : array(),
				is_array( $sync ) ? $sync : array(),
				\MiraklConnector\StateDirectory::state_file(),
				is_array( $finance ) ? $finance : array()
			);
		}
		return $this->engine;
	}

	/**
	 * Forgets the engine built in this request (after settings changed).
	 */
	public function reset(): void {
		$this->engine = null;
	}

	/**
	 * Refuses to go on without the extension.
	 *
	 * @throws \RuntimeException When the extension is not loaded.
	 */
	private function require_loaded(): void {
		if ( ! $this->is_loaded() ) {
			throw new \RuntimeException( 'The mirakl_connector PHP extension is not loaded.' );
		}
	}
}
