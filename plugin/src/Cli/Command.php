<?php
/**
 * `wp mirakl ...`: the runner and the problem queue from the command line. `wp mirakl tick` is
 * the system-cron runner for shops whose traffic is too low for WP-Cron (README). Each
 * subcommand is a thin shell around a method that returns data, so the logic is testable
 * without WP-CLI.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Cli;

use MiraklConnector\Runner\Runner;
use MiraklConnector\Shop\WooShop;

defined( 'ABSPATH' ) || exit;

/**
 * Runs the Mirakl connector: ticks, status, stock sync and problems.
 */
class Command {

	/**
	 * The runner.
	 *
	 * @var Runner
	 */
	private Runner $runner;

	/**
	 * Constructor.
	 *
	 * @param Runner $runner The runner.
	 */
	public function __construct( Runner $runner ) {
		$this->runner = $runner;
	}

	/**
	 * Registers `wp mirakl` when WP-CLI is running.
	 *
	 * @param Runner $runner The runner.
	 */
	public static function register( Runner $runner ): void {
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( '\WP_CLI' ) ) {
			\WP_CLI::add_command( 'mirakl', new self( $runner ) );
		}
	}

	/**
	 * Runs due work once: polls orders, pushes stock, sends shipments and refunds.
	 *
	 * ## OPTIONS
	 *
	 * [--budget=<ms>]
	 * : Milliseconds the tick may take. Default: 50000, or half of max_execution_time.
	 *
	 * [--format=<format>]
	 * : summary or json.
	 * ---
	 * default: summary
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     # From the system crontab, every minute:
	 *     * * * * * cd /var/www/html && wp mirakl tick --quiet
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function tick( $args, $assoc_args ): void {
		$budget = isset( $assoc_args['budget'] ) ? (int) $assoc_args['budget'] : null;
		try {
			$report = $this->runner->tick( $budget );
		} catch ( \Throwable $e ) {
			\WP_CLI::error( self::terminal_safe( $e->getMessage() ) );
			return;
		}
		if ( 'json' === ( $assoc_args['format'] ?? 'summary' ) ) {
			\WP_CLI::line( (string) wp_json_encode( $report ) );
			return;
		}
		\WP_CLI::log( self::terminal_safe( self::summarise_tick( $report ) ) );
		foreach ( (array) ( $report['problems'] ?? array() ) as $problem ) {
			\WP_CLI::warning( self::terminal_safe( sprintf( '%s: %s', $problem['kind'] ?? '', $problem['message'] ?? '' ) ) );
		}
		\WP_CLI::success( $report['ran'] ? 'Tick done.' : 'Another runner is working; nothing ran.' );
	}

	/**
	 * Shows the runner's health: last tick, queue, open problems.
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
	public function status( $args, $assoc_args ): void {
		try {
			$health = $this->runner->bridge()->health();
		} catch ( \Throwable $e ) {
			\WP_CLI::error( self::terminal_safe( $e->getMessage() ) );
			return;
		}
		if ( 'json' === ( $assoc_args['format'] ?? 'summary' ) ) {
			\WP_CLI::line( (string) wp_json_encode( $health ) );
			return;
		}
		foreach ( self::flatten( $health ) as $key => $value ) {
			\WP_CLI::log( self::terminal_safe( sprintf( '%-32s %s', $key, $value ) ) );
		}
		if ( ! empty( $health['runner_late'] ) ) {
			\WP_CLI::warning( 'The runner is late: check that WP-Cron or the system cron runs `wp mirakl tick` every minute.' );
		}
	}

	/**
	 * Pushes stock to Mirakl: the SKUs given, or the whole catalogue with --all.
	 *
	 * ## OPTIONS
	 *
	 * [<sku>...]
	 * : SKUs to push.
	 *
	 * [--all]
	 * : Every product and variation with a SKU and managed stock, then a full reconciliation.
	 *
	 * [--no-tick]
	 * : Only queue; the next tick pushes.
	 *
	 * @subcommand sync-stock
	 * @param array $args       SKUs.
	 * @param array $assoc_args Options.
	 */
	public function sync_stock( $args, $assoc_args ): void {
		$all = ! empty( $assoc_args['all'] );
		if ( ! $all && empty( $args ) ) {
			\WP_CLI::error( 'Name SKUs, or pass --all.' );
			return;
		}
		try {
			$queued = $this->queue_stock( $all ? null : array_map( 'strval', $args ) );
			\WP_CLI::log( sprintf( '%d SKU(s) queued for a stock push.', $queued ) );
			if ( \WP_CLI\Utils\get_flag_value( $assoc_args, 'tick', true ) ) {
				$this->tick( array(), array() );
			}
		} catch ( \Throwable $e ) {
			\WP_CLI::error( self::terminal_safe( $e->getMessage() ) );
		}
	}

	/**
	 * Lists, retries or resolves problems.
	 *
	 * ## OPTIONS
	 *
	 * <action>
	 * : list, retry or resolve.
	 * ---
	 * options:
	 *   - list
	 *   - retry
	 *   - resolve
	 * ---
	 *
	 * [<id>]
	 * : The problem's id (retry, resolve).
	 *
	 * [--state=<state>]
	 * : open, resolved or all (list).
	 * ---
	 * default: open
	 * ---
	 *
	 * [--kind=<kind>]
	 * : Only this kind (list).
	 *
	 * [--format=<format>]
	 * : table or json (list).
	 * ---
	 * default: table
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     wp mirakl problems list
	 *     wp mirakl problems retry 12
	 *     wp mirakl problems resolve 12
	 *
	 * @param array $args       Action and id.
	 * @param array $assoc_args Options.
	 */
	public function problems( $args, $assoc_args ): void {
		$action = (string) ( $args[0] ?? 'list' );
		try {
			$bridge = $this->runner->bridge();
			if ( 'list' === $action ) {
				$rows = self::problem_rows( $bridge, (string) ( $assoc_args['state'] ?? 'open' ), isset( $assoc_args['kind'] ) ? (string) $assoc_args['kind'] : null );
				if ( 'json' === ( $assoc_args['format'] ?? 'table' ) ) {
					\WP_CLI::line( (string) wp_json_encode( $rows ) );
				} elseif ( empty( $rows ) ) {
					\WP_CLI::log( 'No problems.' );
				} else {
					\WP_CLI\Utils\format_items( 'table', $rows, array( 'id', 'severity', 'kind', 'entity', 'occurrences', 'last_seen', 'message' ) );
				}
				return;
			}
			$id = (int) ( $args[1] ?? 0 );
			if ( $id <= 0 ) {
				\WP_CLI::error( "Give the problem's id: wp mirakl problems $action <id>" );
				return;
			}
			if ( 'retry' === $action ) {
				$job = $bridge->retry_problem( $id );
				\WP_CLI::success( sprintf( 'Exception %d closed; job %d queued again.', $id, $job ) );
			} elseif ( 'resolve' === $action ) {
				if ( $bridge->resolve_problem( $id ) ) {
					\WP_CLI::success( sprintf( 'Exception %d resolved.', $id ) );
				} else {
					\WP_CLI::warning( sprintf( 'Exception %d was not open.', $id ) );
				}
			} else {
				\WP_CLI::error( "Unknown action $action: list, retry or resolve." );
			}
		} catch ( \Throwable $e ) {
			\WP_CLI::error( self::terminal_safe( $e->getMessage() ) );
		}
	}

	/**
	 * Queues a stock push for these SKUs, or for the whole catalogue (and a full
	 * reconciliation). Returns how many SKUs were queued.
	 *
	 * @param string[]|null $skus SKUs, or null for all.
	 */
	public function queue_stock( ?array $skus ): int {
		$bridge = $this->runner->bridge();
		$shop   = new WooShop();
		$queued = 0;
		if ( null !== $skus ) {
			$changes = array();
			foreach ( $shop->read_stock( $skus ) as $level ) {
				if ( null !== $level['quantity'] ) {
					$changes[] = array(
						'sku'      => $level['sku'],
						'quantity' => $level['quantity'],
					);
				}
			}
			return $changes ? $bridge->stock_changed( $changes ) : 0;
		}
		$after = null;
		do {
			$page    = $shop->read_catalogue( $after, 500 );
			$changes = array();
			foreach ( $page['items'] as $item ) {
				if ( null !== $item['sku'] && null !== $item['quantity'] ) {
					$changes[ $item['sku'] ] = array(
						'sku'      => $item['sku'],
						'quantity' => $item['quantity'],
					);
				}
			}
			if ( $changes ) {
				$queued += $bridge->stock_changed( array_values( $changes ) );
			}
			$after = $page['next'];
		} while ( null !== $after );
		$bridge->reconcile_stock( true );
		return $queued;
	}

	/**
	 * Problems as table rows.
	 *
	 * @param object      $bridge The bridge (tests pass a stand-in).
	 * @param string      $state  open, resolved or all.
	 * @param string|null $kind   Only this kind.
	 * @return array<int, array<string, scalar>>
	 */
	public static function problem_rows( $bridge, string $state, ?string $kind ): array {
		$filter = array( 'state' => $state );
		if ( null !== $kind ) {
			$filter['kind'] = $kind;
		}
		$rows = array();
		foreach ( $bridge->problems( $filter ) as $problem ) {
			$rows[] = array(
				'id'          => (int) $problem['id'],
				'severity'    => (string) $problem['severity'],
				'kind'        => (string) $problem['kind'],
				'entity'      => self::terminal_safe( $problem['entity_type'] . ' ' . $problem['entity_id'] ),
				'occurrences' => (int) ( $problem['occurrences'] ?? 1 ),
				'last_seen'   => (string) ( $problem['last_seen'] ?? '' ),
				'message'     => self::terminal_safe( (string) $problem['message'] ),
			);
		}
		return $rows;
	}

	/**
	 * Text from the marketplace made safe for a terminal: every control character but the
	 * newline (C0, DEL and the C1 range, so also NUL and the ESC that starts an ANSI sequence)
	 * becomes a visible `\xNN` escape instead of reaching the terminal raw.
	 *
	 * @param string $text Text that may hold marketplace data.
	 */
	public static function terminal_safe( string $text ): string {
		return (string) preg_replace_callback(
			'/[\x00-\x09\x0B-\x1F\x7F]|\xC2[\x80-\x9F]/',
			static function ( array $match ): string {
				$code = 1 === strlen( $match[0] ) ? ord( $match[0] ) : ord( $match[0][1] );
				return sprintf( '\\x%02X', $code );
			},
			$text
		);
	}

	/**
	 * One line about a tick: jobs by kind and outcome, API calls, time.
	 *
	 * @param array $report Tick report.
	 */
	public static function summarise_tick( array $report ): string {
		$jobs = array();
		foreach ( (array) ( $report['jobs'] ?? array() ) as $kind => $outcomes ) {
			foreach ( (array) $outcomes as $outcome => $count ) {
				$jobs[] = "$kind:$outcome=$count";
			}
		}
		$calls = array();
		foreach ( (array) ( $report['api_calls'] ?? array() ) as $api => $count ) {
			$calls[] = "$api=$count";
		}
		$line   = sprintf(
			'%d ms; jobs: %s; API calls: %s; next due: %s',
			(int) ( $report['duration_ms'] ?? 0 ),
			$jobs ? implode( ' ', $jobs ) : 'none',
			$calls ? implode( ' ', $calls ) : 'none',
			(string) ( $report['next_due_at'] ?? '-' )
		);
		$purged = (array) ( $report['purged'] ?? array() );
		if ( array_sum( array_map( 'intval', $purged ) ) > 0 ) {
			$line .= sprintf(
				'; purged: %d job payloads, %d problem payloads, %d order snapshots',
				(int) ( $purged['job_payloads'] ?? 0 ),
				(int) ( $purged['problem_payloads'] ?? 0 ),
				(int) ( $purged['order_snapshots'] ?? 0 )
			);
		}
		return $line;
	}

	/**
	 * Nested arrays as dotted keys.
	 *
	 * @param array  $data   Data.
	 * @param string $prefix Key prefix.
	 * @return array<string, string>
	 */
	private static function flatten( array $data, string $prefix = '' ): array {
		$flat = array();
		foreach ( $data as $key => $value ) {
			$name = '' === $prefix ? (string) $key : "$prefix.$key";
			if ( is_array( $value ) ) {
				$flat += self::flatten( $value, $name );
			} else {
				$flat[ $name ] = is_bool( $value ) ? ( $value ? 'yes' : 'no' ) : ( null === $value ? '-' : (string) $value );
			}
		}
		return $flat;
	}
}
