<?php
/**
 * One finance run: import the next part of the Mirakl ledger, record what WooCommerce says the
 * marketplace orders changed since the last run are worth, and match both. WP-Cron, the
 * "Import now" button and WP-CLI all come here.
 *
 * Invariants: the expected side is sent in batches before every match; the "changed since"
 * marker belongs to one state file (a new state file gets every order again) and only moves
 * forward once the batch was recorded; the marker reaches back a minute so an order saved while
 * the batch was read is sent again rather than missed.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Native\Bridge;
use MiraklConnector\StateDirectory;

defined( 'ABSPATH' ) || exit;

/**
 * Import, expected orders and matching.
 */
class FinanceRun {

	/** Option: {state: hash of the state file, since: unix time} of the last expected orders sent. */
	public const OPTION_EXPECTED_SINCE = 'mirakl_connector_finance_expected_since';
	/** Option: the last run's summary (times, import and match figures), for the finance page. */
	public const OPTION_LAST_RUN = 'mirakl_connector_finance_last_run';

	/** Expected orders per finance_record_expected() call. */
	private const BATCH = 200;
	/**
	 * Orders read per run at most (each is loaded through WooCommerce); a shop's first run over
	 * years of orders goes on from where it stopped on the next hourly check.
	 */
	public const MAX_ORDERS_PER_RUN = 2000;
	/** Seconds the "changed since" marker reaches back. */
	private const OVERLAP = 60;

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
	 * The native bridge.
	 */
	public function bridge(): Bridge {
		return $this->bridge;
	}

	/**
	 * Imports the next part of the ledger (within Mirakl's call budget).
	 *
	 * @return array The core's ImportReport.
	 * @throws \Throwable What the engine throws (connection not set up, Mirakl down, store busy).
	 */
	public function import(): array {
		$report = (array) $this->bridge->finance_import();
		$this->remember( 'import', $report );
		return $report;
	}

	/**
	 * Sends the expected side of every marketplace order changed since the last time (all of
	 * them the first time, or with `$all`).
	 *
	 * @param bool $all Send every marketplace order.
	 * @return int Orders recorded.
	 * @throws \Throwable What the engine throws.
	 */
	public function record_expected( bool $all = false ): int {
		$state   = md5( StateDirectory::state_file() );
		$marker  = get_option( self::OPTION_EXPECTED_SINCE, array() );
		$marker  = ( is_array( $marker ) && ( $marker['state'] ?? '' ) === $state ) ? $marker : array();
		$resume  = ! $all && ! empty( $marker['after'] );
		$since   = $all ? 0 : (int) ( $marker['since'] ?? 0 );
		$after   = $resume ? (int) $marker['after'] : 0;
		$started = $resume ? (int) $marker['started'] : time();
		$ids     = array_values( array_filter( ExpectedOrders::changed_since( $since ), static fn ( $id ) => $id > $after ) );
		/**
		 * Filters how many marketplace orders one finance run reads at most.
		 *
		 * @param int $limit The limit (default 2,000).
		 */
		$limit = max( 1, (int) apply_filters( 'mirakl_connector_finance_orders_per_run', self::MAX_ORDERS_PER_RUN ) );
		$left  = array_slice( $ids, $limit );
		$ids   = array_slice( $ids, 0, $limit );
		$bridge  = $this->bridge;
		$sent    = 0;
		foreach ( array_chunk( $ids, self::BATCH ) as $chunk ) {
			$orders = ExpectedOrders::for_ids( $chunk );
			if ( ! empty( $orders ) ) {
				$sent += (int) $bridge->finance_record_expected( $orders );
			}
		}
		// With orders left, the marker stays where it was and remembers the last id sent.
		update_option(
			self::OPTION_EXPECTED_SINCE,
			empty( $left ) ? array(
				'state' => $state,
				'since' => $started - self::OVERLAP,
			) : array(
				'state'   => $state,
				'since'   => $since,
				'after'   => (int) end( $ids ),
				'started' => $started,
			),
			false
		);
		return $sent;
	}

	/**
	 * Whether the last run stopped with marketplace orders still to send.
	 */
	public function has_backlog(): bool {
		$marker = get_option( self::OPTION_EXPECTED_SINCE, array() );
		return is_array( $marker ) && ! empty( $marker['after'] ) && ( $marker['state'] ?? '' ) === md5( StateDirectory::state_file() );
	}

	/**
	 * Records the expected side, then matches it with the ledger.
	 *
	 * @param bool $all Send every marketplace order, not only the changed ones.
	 * @return array The core's MatchReport plus `expected_recorded`.
	 * @throws \Throwable What the engine throws.
	 */
	public function match( bool $all = false ): array {
		$recorded = $this->record_expected( $all );
		$report   = (array) $this->bridge->finance_match();
		$report['expected_recorded'] = $recorded;
		$this->remember( 'match', $report );
		return $report;
	}

	/**
	 * Import then, when the import read everything, match. The scheduled and on-demand run.
	 *
	 * @return array{import: array, match: array|null}
	 * @throws \Throwable What the engine throws.
	 */
	public function run(): array {
		$import = $this->import();
		$match  = ! empty( $import['complete'] ) ? $this->match() : null;
		return array(
			'import' => $import,
			'match'  => $match,
		);
	}

	/**
	 * Where the import stands (last complete run, next due, resume time), or null when the
	 * state cannot be read.
	 */
	public function status(): ?array {
		try {
			return (array) $this->bridge->finance_import_status();
		} catch ( \Throwable $e ) {
			return null;
		}
	}

	/**
	 * The last run's summary.
	 *
	 * @return array{import?: array, import_at?: int, match?: array, match_at?: int}
	 */
	public static function last_run(): array {
		$last = get_option( self::OPTION_LAST_RUN, array() );
		return is_array( $last ) ? $last : array();
	}

	/**
	 * Keeps a report's counters (not its discrepancy list) for the finance page.
	 *
	 * @param string $what   import or match.
	 * @param array  $report The report.
	 */
	private function remember( string $what, array $report ): void {
		unset( $report['discrepancies'] );
		$last                   = self::last_run();
		$last[ $what ]          = $report;
		$last[ $what . '_at' ] = time();
		update_option( self::OPTION_LAST_RUN, $last, false );
	}
}
