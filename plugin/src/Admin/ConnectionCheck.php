<?php
/**
 * The connection test (V01 then A01, through the core) and its last result, which the dashboard
 * and Site Health show without calling Mirakl on every page view. The result never holds the key.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Runs and remembers the connection test.
 */
class ConnectionCheck {

	public const OPTION = 'mirakl_connector_connection_check';

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
	 * Tests the stored connection now and remembers the outcome.
	 *
	 * @return array{ok: bool, at: int, message: string, code: int, shop_id: mixed, shop_name: string, shop_state: string, currency: string, platform_version: string}
	 */
	public function run(): array {
		$result = array(
			'ok'               => false,
			'at'               => time(),
			'message'          => '',
			'code'             => 0,
			'shop_id'          => null,
			'shop_name'        => '',
			'shop_state'       => '',
			'currency'         => '',
			'platform_version' => '',
		);
		if ( ! Settings::is_connected() ) {
			$result['message'] = __( 'No API URL and key are saved yet.', 'mirakl-connector-for-woocommerce' );
		} else {
			try {
				$this->bridge->reset();
				$report                     = $this->bridge->test_connection();
				$result['ok']               = true;
				$result['shop_id']          = $report['shop_id'] ?? null;
				$result['shop_name']        = (string) ( $report['shop_name'] ?? '' );
				$result['shop_state']       = (string) ( $report['shop_state'] ?? '' );
				$result['currency']         = (string) ( $report['currency_iso_code'] ?? '' );
				$result['platform_version'] = (string) ( $report['platform_version'] ?? '' );
			} catch ( \Throwable $e ) {
				$result['code']    = (int) $e->getCode();
				$result['message'] = self::explain( $e );
			}
		}
		update_option( self::OPTION, $result, false );
		return $result;
	}

	/**
	 * The last outcome, or null when the test never ran.
	 */
	public static function last(): ?array {
		$last = get_option( self::OPTION, null );
		return is_array( $last ) ? $last : null;
	}

	/**
	 * A failure in words an operator can act on (the core's message, which never holds the key,
	 * follows).
	 *
	 * @param \Throwable $e The failure.
	 */
	public static function explain( \Throwable $e ): string {
		$codes = array(
			303 => __( 'Mirakl refused the API key. Copy the shop API key again from your Mirakl back office (My user settings → API key).', 'mirakl-connector-for-woocommerce' ),
			300 => __( 'Mirakl could not be reached. Check the API URL and that this server can open outgoing connections.', 'mirakl-connector-for-woocommerce' ),
			301 => __( 'Mirakl asks to slow down; try again in a minute.', 'mirakl-connector-for-woocommerce' ),
			100 => __( 'The connection settings are incomplete or invalid.', 'mirakl-connector-for-woocommerce' ),
		);
		$hint = $codes[ (int) $e->getCode() ] ?? __( 'The connection test failed.', 'mirakl-connector-for-woocommerce' );
		return $hint . ' (' . $e->getMessage() . ')';
	}
}
