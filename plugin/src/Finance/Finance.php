<?php
/**
 * Registers the finance services: commission posting on new marketplace orders, the scheduled
 * ledger import and matching, the finance page with its CSV downloads, the finance problem
 * labels and `wp mirakl finance`.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * The finance services.
 */
class Finance {

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
	 * Hooks everything.
	 */
	public function register(): void {
		$settings = new FinanceSettings( $this->bridge );
		$run      = new FinanceRun( $this->bridge );
		( new FinanceCron( $run ) )->register();
		add_filter( 'mirakl_connector_problem_kinds', array( FinanceKinds::class, 'add' ) );
		if ( is_admin() ) {
			( new FinancePage( $this->bridge, $run, $settings ) )->register();
			( new CsvDownload( $this->bridge ) )->register();
		}
		FinanceCommand::register( $run );
	}
}
