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
 * Thin facade over the `MiraklConnector\Native\*` functions of the extension.
 */
class Bridge {

	public const EXTENSION = 'mirakl_connector';

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
