<?php
/**
 * What the admin screens read from the core, through the Bridge's engine. Reads never throw into
 * a page: a failure becomes an empty answer plus a message the page shows. Reads the core does
 * not offer yet (checked with method_exists) answer `null`, and the page shows an empty state
 * saying so.
 *
 * Native reads used when present: orders_at_risk, order_status, stock_drift, sku_status,
 * budgets, recent_activity, refund_reasons; and, not in the core yet, refresh_carriers and
 * daily_stats (see the README's admin section for their shapes).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Guarded reads and actions on the native engine.
 */
class EngineReader {

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * The last failure, for the page to show.
	 *
	 * @var string|null
	 */
	private ?string $last_error = null;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->bridge = $bridge;
	}

	/**
	 * The bridge (for actions that must throw).
	 */
	public function bridge(): Bridge {
		return $this->bridge;
	}

	/**
	 * The last failure message, if a read failed.
	 */
	public function last_error(): ?string {
		return $this->last_error;
	}

	/**
	 * Whether the engine offers this method.
	 *
	 * @param string $method Method name.
	 */
	public function supports( string $method ): bool {
		try {
			return $this->bridge->is_loaded() && method_exists( $this->bridge->engine(), $method );
		} catch ( \Throwable $e ) {
			return false;
		}
	}

	/**
	 * Calls an engine method; null when missing or failed (the failure kept in last_error()).
	 *
	 * @param string $method Method name.
	 * @param array  $args   Arguments.
	 * @return mixed
	 */
	public function call( string $method, array $args = array() ) {
		try {
			$engine = $this->bridge->engine();
			if ( ! method_exists( $engine, $method ) ) {
				return null;
			}
			return $engine->$method( ...$args );
		} catch ( \Throwable $e ) {
			$this->last_error = $e->getMessage();
			return null;
		}
	}

	/**
	 * The runner's health, or null.
	 */
	public function health(): ?array {
		$health = $this->call( 'health' );
		return is_array( $health ) ? $health : null;
	}

	/**
	 * Problems matching a filter.
	 *
	 * @param array $filter kind, state, severity, entity_type, entity_id, limit, offset.
	 */
	public function problems( array $filter ): array {
		$list = $this->call( 'problems', array( $filter ) );
		return is_array( $list ) ? $list : array();
	}

	/**
	 * The cached Mirakl carriers (SH21).
	 *
	 * @return array<int, array{code: string, label: string|null}>
	 */
	public function carriers(): array {
		$list = $this->call( 'carriers' );
		return is_array( $list ) ? $list : array();
	}

	/**
	 * A list from an optional read; null when the core does not offer it yet.
	 *
	 * @param string $method Method name.
	 * @param array  $args   Arguments.
	 */
	public function optional_list( string $method, array $args = array() ): ?array {
		if ( ! $this->supports( $method ) ) {
			return null;
		}
		$list = $this->call( $method, $args );
		return is_array( $list ) ? $list : array();
	}
}
