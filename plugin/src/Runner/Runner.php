<?php
/**
 * Runs the engine: one tick with WooCommerce as the shop, for a time budget, with the request's
 * own events handed over before and after. WP-Cron, WP-CLI and a system cron all come here;
 * the engine's runner lease makes sure only one tick works at a time.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Runner;

use MiraklConnector\Hooks\ChangeMap;
use MiraklConnector\Native\Bridge;
use MiraklConnector\Shop\Shop;
use MiraklConnector\Shop\WooShop;

defined( 'ABSPATH' ) || exit;

/**
 * Ticks the engine.
 */
class Runner {

	/**
	 * Budget when PHP has no time limit (the CLI): long enough for a backlog, short enough that
	 * a stuck call is noticed.
	 */
	public const DEFAULT_BUDGET_MS = 50000;
	/**
	 * The floor, whatever the time limit.
	 */
	public const MIN_BUDGET_MS = 2000;

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * The request's change map.
	 *
	 * @var ChangeMap
	 */
	private ChangeMap $changes;

	/**
	 * The runner built at boot, for WP-CLI and tests.
	 *
	 * @var Runner|null
	 */
	private static ?Runner $current = null;

	/**
	 * Constructor.
	 *
	 * @param Bridge    $bridge  The native bridge.
	 * @param ChangeMap $changes The request's change map.
	 */
	public function __construct( Bridge $bridge, ChangeMap $changes ) {
		$this->bridge  = $bridge;
		$this->changes = $changes;
		self::$current = $this;
	}

	/**
	 * The runner of this request, once the plugin booted with its requirements met.
	 */
	public static function current(): ?Runner {
		return self::$current;
	}

	/**
	 * The native bridge.
	 */
	public function bridge(): Bridge {
		return $this->bridge;
	}

	/**
	 * The request's change map.
	 */
	public function changes(): ChangeMap {
		return $this->changes;
	}

	/**
	 * A budget well under PHP's `max_execution_time` (half of it, keeping 10 s for WordPress
	 * itself), capped at DEFAULT_BUDGET_MS; filter `mirakl_connector_tick_budget_ms`.
	 */
	public function budget_ms(): int {
		$limit  = (int) ini_get( 'max_execution_time' );
		$budget = self::DEFAULT_BUDGET_MS;
		if ( $limit > 0 ) {
			$budget = min( $budget, max( self::MIN_BUDGET_MS, intdiv( ( $limit - 10 ) * 1000, 2 ) ) );
		}
		/**
		 * Filters the time one tick of the connector may take, in milliseconds.
		 *
		 * @param int $budget The budget.
		 */
		return max( 1, (int) apply_filters( 'mirakl_connector_tick_budget_ms', $budget ) );
	}

	/**
	 * Runs one tick and returns its report. Throws what the engine throws (settings missing,
	 * store unusable); the callers decide how loud to be.
	 *
	 * @param int|null  $budget_ms Budget; null for budget_ms().
	 * @param Shop|null $shop      The shop; null for WooCommerce.
	 * @return array The tick report.
	 * @throws \MiraklConnector\Native\NativeException When the engine cannot run.
	 */
	public function tick( ?int $budget_ms = null, ?Shop $shop = null ): array {
		$this->changes->flush();
		try {
			$report = $this->changes->holding( fn () => $this->bridge->tick( $shop ?? new WooShop(), $budget_ms ?? $this->budget_ms() ) );
		} finally {
			// Stock the tick changed (orders created, cancelled) is recorded right away.
			$this->changes->flush();
		}
		foreach ( (array) ( $report['problems'] ?? array() ) as $problem ) {
			Log::write(
				'critical' === ( $problem['severity'] ?? '' ) ? 'error' : 'warning',
				sprintf( '%s %s %s: %s', $problem['kind'] ?? '', $problem['entity_type'] ?? '', $problem['entity_id'] ?? '', $problem['message'] ?? '' )
			);
		}
		return $report;
	}

	/**
	 * The WP-Cron callback: a tick that never throws (the error is logged, the dashboard shows
	 * the runner as late).
	 */
	public function cron_tick(): void {
		try {
			$this->tick();
		} catch ( \Throwable $e ) {
			Log::exception( 'The scheduled tick', $e );
		}
	}
}
