<?php
/**
 * One finance run: import the next part of the Mirakl ledger, report what WooCommerce alone knows
 * of the marketplace orders changed since the last run (their figures as they stand, refunds, its
 * own total: the core's `finance_shop_orders()` folds them into the expected orders the engine
 * recorded), and match both. WP-Cron, the
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
use MiraklConnector\Shop\Money;
use MiraklConnector\Shop\WooShop;
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

	/** Orders per finance_shop_orders() call. */
	private const BATCH = 200;
	/**
	 * Orders read per run at most (each is loaded through WooCommerce); a shop's first run over
	 * years of orders goes on from where it stopped on the next hourly check.
	 */
	public const MAX_ORDERS_PER_RUN = 2000;
	/** Seconds the "changed since" marker reaches back. */
	private const OVERLAP = 60;
	/** Orders read per query. */
	private const PAGE = 200;

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
		$ids     = array_values( array_filter( self::changed_since( $since ), static fn ( $id ) => $id > $after ) );
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
			$orders = self::reports( $chunk );
			if ( ! empty( $orders ) ) {
				$sent += (int) ( $bridge->finance_shop_orders( $orders )['recorded'] ?? 0 );
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
	 * What WooCommerce alone knows of a marketplace order, in the shape the core's
	 * `finance_shop_orders()` takes (`ShopOrderReport`): its figures as they stand now (an order
	 * edited in WooCommerce is compared as edited), its refunds and its own total. Null for any
	 * other order. The core does the arithmetic.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function report( \WC_Order $order ): ?array {
		$mirakl_order_id = (string) $order->get_meta( WooShop::META_ORDER_ID );
		if ( '' === $mirakl_order_id ) {
			return null;
		}
		$meta  = static function ( \WC_Order_Item $item, string $key ): ?string {
			$value = (string) $item->get_meta( $key );
			return '' === $value ? null : Money::format( Money::micros( $value ), 6 );
		};
		$items = static function ( array $found ): array {
			$kept = array();
			foreach ( $found as $item ) {
				$kept[] = array(
					'amount' => (string) $item->get_total(),
					'tax'    => (string) $item->get_total_tax(),
				);
			}
			return $kept;
		};
		$lines = array();
		foreach ( $order->get_items( 'line_item' ) as $item ) {
			$line_id = (string) $item->get_meta( WooShop::META_LINE_ID );
			if ( '' === $line_id ) {
				continue;
			}
			$lines[] = array(
				'mirakl_order_line_id' => $line_id,
				'quantity'             => max( 0, (int) $item->get_quantity() ),
				'amount'               => (string) $item->get_total(),
				'tax'                  => (string) $item->get_total_tax(),
				'shipping'             => $meta( $item, WooShop::META_LINE_SHIPPING ),
				'shipping_tax'         => $meta( $item, WooShop::META_LINE_SHIPPING_TAX ),
				'commission_fee'       => $meta( $item, WooShop::META_COMMISSION_FEE ) ?? '0',
				'commission_vat'       => $meta( $item, WooShop::META_COMMISSION_VAT ) ?? '0',
			);
		}
		$fee_line = null;
		foreach ( $order->get_items( 'fee' ) as $fee ) {
			if ( '' !== (string) $fee->get_meta( WooShop::META_FEE_LINE ) ) {
				$fee_line = (string) $fee->get_total();
			}
		}
		$refunds = array();
		foreach ( $order->get_refunds() as $refund ) {
			$refunds[] = array(
				'wc_refund_id'     => (int) $refund->get_id(),
				'mirakl_refund_id' => (string) $refund->get_meta( WooShop::META_REFUND_ID ),
				'total'            => (string) $refund->get_amount(),
				'lines'            => $items( $refund->get_items( 'line_item' ) ),
				'shipping'         => $items( $refund->get_items( 'shipping' ) ),
			);
		}
		return array(
			'mirakl_order_id'     => $mirakl_order_id,
			'wc_order_id'         => (int) $order->get_id(),
			'currency'            => (string) $order->get_currency(),
			'cancelled'           => $order->has_status( 'cancelled' ),
			'prices_include_tax'  => WooShop::includes_tax( $order ),
			'decimals'            => max( 0, min( 6, Money::decimals() ) ),
			'total'               => (string) $order->get_total(),
			'lines'               => $lines,
			'shipping'            => $items( $order->get_items( 'shipping' ) ),
			'commission_fee_line' => $fee_line,
			'refunds'             => $refunds,
		);
	}

	/**
	 * Reports of these order ids (other orders left out).
	 *
	 * @param int[] $ids Order ids.
	 * @return array[]
	 */
	private static function reports( array $ids ): array {
		$reports = array();
		foreach ( $ids as $id ) {
			$order = wc_get_order( (int) $id );
			if ( $order instanceof \WC_Order && ! $order instanceof \WC_Order_Refund ) {
				$report = self::report( $order );
				if ( null !== $report ) {
					$reports[] = $report;
				}
			}
		}
		return $reports;
	}

	/**
	 * Ids of marketplace orders changed since a time (their own changes, or a refund's), oldest
	 * id first; every marketplace order when `$since` is 0.
	 *
	 * @param int $since Unix time; 0 for all.
	 * @return int[]
	 */
	public static function changed_since( int $since ): array {
		$ids      = array();
		$statuses = array_merge( array_keys( wc_get_order_statuses() ), array( 'trash' ) );
		$page     = 1;
		do {
			$query = array(
				'type'        => 'shop_order',
				'status'      => $statuses,
				'created_via' => WooShop::CREATED_VIA,
				'limit'       => self::PAGE,
				'paged'       => $page,
				'orderby'     => 'ID',
				'order'       => 'ASC',
				'return'      => 'ids',
			);
			if ( $since > 0 ) {
				$query['date_modified'] = '>=' . $since;
			}
			$found = (array) wc_get_orders( $query );
			foreach ( $found as $id ) {
				$ids[ (int) $id ] = true;
			}
			++$page;
		} while ( count( $found ) === self::PAGE );

		if ( $since > 0 ) {
			$page = 1;
			do {
				$found = (array) wc_get_orders(
					array(
						'type'          => 'shop_order_refund',
						'date_modified' => '>=' . $since,
						'limit'         => self::PAGE,
						'paged'         => $page,
						'orderby'       => 'ID',
						'order'         => 'ASC',
					)
				);
				foreach ( $found as $refund ) {
					if ( $refund instanceof \WC_Order_Refund && $refund->get_parent_id() ) {
						$ids[ (int) $refund->get_parent_id() ] = true;
					}
				}
				++$page;
			} while ( count( $found ) === self::PAGE );
		}
		$ids = array_keys( $ids );
		sort( $ids );
		return $ids;
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
