<?php
/**
 * WP-Cron for finance, batched and never real-time: the event `mirakl_connector_finance_import`
 * is checked hourly and runs the import only when the core says it is due
 * (`finance_import_status()['next_due']`: `import_interval_hours` after the last complete import,
 * nightly by default); a run a call budget stopped part-way is taken up again at its `resume_at`
 * by a single event. A complete import is followed by the expected orders and the match; a
 * first match over more orders than one run reads goes on at the next hourly checks.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Runner\Log;

defined( 'ABSPATH' ) || exit;

/**
 * Schedules the finance import.
 */
class FinanceCron {

	public const HOOK = 'mirakl_connector_finance_import';
	/** The argument of the single event that resumes a stopped import. */
	public const RESUME = 'resume';

	/**
	 * The finance run.
	 *
	 * @var FinanceRun
	 */
	private FinanceRun $run;

	/**
	 * Constructor.
	 *
	 * @param FinanceRun $run The finance run.
	 */
	public function __construct( FinanceRun $run ) {
		$this->run = $run;
	}

	/**
	 * Hooks the event and its scheduling.
	 */
	public function register(): void {
		add_action( self::HOOK, array( $this, 'on_event' ) );
		add_action( 'init', array( $this, 'ensure_scheduled' ) );
	}

	/**
	 * Schedules the hourly check when it is not.
	 */
	public function ensure_scheduled(): void {
		if ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time() + 10 * MINUTE_IN_SECONDS, 'hourly', self::HOOK );
		}
	}

	/**
	 * The event: runs when due (or always when resuming); never throws into WP-Cron.
	 *
	 * @param string $mode Empty for the hourly check, RESUME for a resumed import.
	 */
	public function on_event( $mode = '' ): void {
		try {
			$this->run_if_due( self::RESUME === $mode );
		} catch ( \Throwable $e ) {
			Log::exception( 'The scheduled finance import', $e );
		}
	}

	/**
	 * Runs the import (and the match after a complete import) when due.
	 *
	 * @param bool $force Run even when not due.
	 * @return array|null The run's reports (`import` null when only a backlog of orders was
	 *                    sent and matched), or null when nothing was due.
	 * @throws \Throwable What the engine throws.
	 */
	public function run_if_due( bool $force = false ): ?array {
		if ( ! \MiraklConnector\Admin\Settings::is_connected() ) {
			return null;
		}
		if ( ! $force ) {
			$status = $this->run->status();
			$due    = is_array( $status ) ? strtotime( (string) ( $status['next_due'] ?? '' ) ) : false;
			if ( false === $due || $due > time() ) {
				// Not due: only go on sending the orders a long first run left.
				return $this->run->has_backlog() ? array(
					'import' => null,
					'match'  => $this->run->match(),
				) : null;
			}
		}
		$result = $this->run->run();
		self::schedule_resume( $result['import'] );
		return $result;
	}

	/**
	 * When a budget stopped the import, a single event at its `resume_at`.
	 *
	 * @param array $import The import report.
	 */
	public static function schedule_resume( array $import ): void {
		if ( ! empty( $import['complete'] ) || empty( $import['resume_at'] ) ) {
			return;
		}
		$at = strtotime( (string) $import['resume_at'] );
		if ( false === $at ) {
			return;
		}
		$at = max( time() + MINUTE_IN_SECONDS, $at + 5 );
		if ( ! wp_next_scheduled( self::HOOK, array( self::RESUME ) ) ) {
			wp_schedule_single_event( $at, self::HOOK, array( self::RESUME ) );
		}
	}
}
