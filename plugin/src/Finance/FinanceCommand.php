<?php
/**
 * `wp mirakl finance import|match|report`: the finance run and the month-end report from the
 * command line (for a system cron, or an accountant's script). Each subcommand is a thin shell
 * around FinanceRun or the engine's report.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

defined( 'ABSPATH' ) || exit;

/**
 * Imports, matches and reports the Mirakl ledger.
 */
class FinanceCommand {

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
	 * Registers `wp mirakl finance` when WP-CLI is running.
	 *
	 * @param FinanceRun $run The finance run.
	 */
	public static function register( FinanceRun $run ): void {
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( '\WP_CLI' ) ) {
			\WP_CLI::add_command( 'mirakl finance', new self( $run ) );
		}
	}

	/**
	 * Imports the next part of the Mirakl ledger now, then matches the orders when it read
	 * everything.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : summary or json.
	 * ---
	 * default: summary
	 * ---
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function import( $args, $assoc_args ): void {
		try {
			$result = $this->run->run();
			FinanceCron::schedule_resume( $result['import'] );
		} catch ( \Throwable $e ) {
			\WP_CLI::error( $e->getMessage() );
			return;
		}
		if ( 'json' === ( $assoc_args['format'] ?? 'summary' ) ) {
			\WP_CLI::line( (string) wp_json_encode( $result ) );
			return;
		}
		$import = $result['import'];
		\WP_CLI::log( sprintf( 'Pages %d, transactions read %d, new %d, updated %d, unchanged %d, documents %d, billing cycles %d.', $import['pages'] ?? 0, $import['transactions_seen'] ?? 0, $import['inserted'] ?? 0, $import['updated'] ?? 0, $import['unchanged'] ?? 0, $import['documents'] ?? 0, $import['billing_cycles'] ?? 0 ) );
		if ( empty( $import['complete'] ) ) {
			\WP_CLI::warning( sprintf( 'Stopped part-way by Mirakl\'s call budget; resumes at %s.', $import['resume_at'] ?? '?' ) );
			return;
		}
		if ( is_array( $result['match'] ) ) {
			self::log_match( $result['match'] );
		}
		\WP_CLI::success( 'Ledger imported.' );
	}

	/**
	 * Sends WooCommerce's side of every marketplace order and matches it with the ledger.
	 *
	 * ## OPTIONS
	 *
	 * [--format=<format>]
	 * : summary or json.
	 * ---
	 * default: summary
	 * ---
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function match( $args, $assoc_args ): void {
		try {
			$report = $this->run->match( true );
		} catch ( \Throwable $e ) {
			\WP_CLI::error( $e->getMessage() );
			return;
		}
		if ( 'json' === ( $assoc_args['format'] ?? 'summary' ) ) {
			\WP_CLI::line( (string) wp_json_encode( $report ) );
			return;
		}
		self::log_match( $report );
		foreach ( (array) ( $report['discrepancies'] ?? array() ) as $discrepancy ) {
			\WP_CLI::warning( sprintf( '%s: %s', $discrepancy['kind'] ?? '', $discrepancy['message'] ?? '' ) );
		}
		\WP_CLI::success( 'Matched.' );
	}

	/**
	 * Prints a month's report: the figures per currency, or a CSV export.
	 *
	 * ## OPTIONS
	 *
	 * --month=<YYYY-MM>
	 * : The month (UTC).
	 *
	 * [--currency=<code>]
	 * : Only this currency.
	 *
	 * [--kind=<kind>]
	 * : With --format=csv: summary, orders or ledger.
	 * ---
	 * default: summary
	 * ---
	 *
	 * [--format=<format>]
	 * : table, csv or json.
	 * ---
	 * default: table
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     wp mirakl finance report --month=2026-10
	 *     wp mirakl finance report --month=2026-10 --format=csv --kind=orders > orders.csv
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function report( $args, $assoc_args ): void {
		$period = Period::parse( (string) ( $assoc_args['month'] ?? '' ) );
		if ( null === $period ) {
			\WP_CLI::error( 'Give the month as --month=YYYY-MM.' );
			return;
		}
		$currency = isset( $assoc_args['currency'] ) ? strtoupper( (string) $assoc_args['currency'] ) : null;
		$format   = (string) ( $assoc_args['format'] ?? 'table' );
		try {
			$bridge = $this->run->bridge();
			if ( 'csv' === $format ) {
				\WP_CLI::line( rtrim( (string) $bridge->finance_csv( (string) ( $assoc_args['kind'] ?? 'summary' ), $period['year'], $period['month'], $currency ), "\n" ) );
				return;
			}
			$report = (array) $bridge->finance_month_end( $period['year'], $period['month'], $currency, 'json' === $format );
		} catch ( \Throwable $e ) {
			\WP_CLI::error( $e->getMessage() );
			return;
		}
		if ( 'json' === $format ) {
			\WP_CLI::line( (string) wp_json_encode( $report ) );
			return;
		}
		$currencies = (array) ( $report['currencies'] ?? array() );
		if ( empty( $currencies ) ) {
			\WP_CLI::log( sprintf( 'No Mirakl transaction in %s.', $period['period'] ) );
			return;
		}
		$rows = array();
		foreach ( array_keys( FinancePage::figure_labels() ) as $key ) {
			$row = array( 'figure' => $key );
			foreach ( $currencies as $figures ) {
				$row[ (string) $figures['currency'] ] = (string) ( $figures[ $key ] ?? '0' );
			}
			$rows[] = $row;
		}
		\WP_CLI\Utils\format_items( 'table', $rows, array_merge( array( 'figure' ), array_map( static fn ( $f ) => (string) $f['currency'], $currencies ) ) );
	}

	/**
	 * A match report in one line.
	 *
	 * @param array $report MatchReport.
	 */
	private static function log_match( array $report ): void {
		\WP_CLI::log( sprintf( 'Orders checked %d, matched %d, differing %d, awaiting Mirakl %d, without shop figures %d; problems raised %d, resolved %d.', $report['orders_checked'] ?? 0, $report['orders_matched'] ?? 0, $report['orders_mismatched'] ?? 0, $report['orders_awaiting'] ?? 0, $report['orders_without_expected'] ?? 0, $report['problems_raised'] ?? 0, $report['problems_resolved'] ?? 0 ) );
	}
}
