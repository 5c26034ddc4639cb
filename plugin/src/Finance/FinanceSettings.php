<?php
/**
 * The finance settings (option `mirakl_connector_finance_settings`), validated by the core with
 * its defaults filled in: commission posting (`meta_only` or `fee_line`) and the fee line's name,
 * the ledger account for commissions, the rounding tolerance of the match and the import's
 * schedule. A stored value the core refuses falls back to the defaults rather than breaking a
 * request.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Lifecycle;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Reads and saves the finance settings.
 */
class FinanceSettings {

	/** What the core answers with no stored settings, for when it cannot be asked. */
	private const DEFAULTS = array(
		'commission_posting'       => 'meta_only',
		'commission_fee_line_name' => 'Marketplace commission',
		'commission_account'       => '',
		'rounding_tolerance'       => '0.01',
		'import_interval_hours'    => 24,
		'import_page_size'         => 2000,
		'import_overlap_minutes'   => 10,
		'import_documents'         => true,
	);

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
	 * The stored settings as typed (may be incomplete).
	 */
	public static function stored(): array {
		$stored = get_option( Lifecycle::OPTION_FINANCE_SETTINGS, array() );
		return is_array( $stored ) ? $stored : array();
	}

	/**
	 * Every setting, validated, defaults filled in.
	 */
	public function all(): array {
		try {
			return $this->bridge->validate_finance_settings( self::stored() ) + self::DEFAULTS;
		} catch ( \Throwable $e ) {
			return self::DEFAULTS;
		}
	}

	/**
	 * One setting.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	public function get( string $key ) {
		return $this->all()[ $key ] ?? null;
	}

	/**
	 * Validates and stores new values over the stored ones; the engine is rebuilt with them.
	 *
	 * @param array $values Values to change.
	 * @return array The stored settings.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 */
	public function save( array $values ): array {
		$validated = $this->bridge->validate_finance_settings( array_merge( self::stored(), $values ) );
		update_option( Lifecycle::OPTION_FINANCE_SETTINGS, $validated, false );
		$this->bridge->reset();
		return $validated;
	}
}
