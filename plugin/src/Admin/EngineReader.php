<?php
/**
 * What the admin screens read from the core, through the Bridge's typed methods. Reads never
 * throw into a page: a failure becomes an empty answer (or null, where the page has a "could not
 * be read" state) plus a message the page shows.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Guarded reads on the core for the admin screens.
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
	 * The bridge, for actions.
	 */
	public function bridge(): Bridge {
		return $this->bridge;
	}

	/**
	 * The message of the last failed read, if any.
	 */
	public function last_error(): ?string {
		return $this->last_error;
	}

	/**
	 * The runner's health, or null when it cannot be read.
	 */
	public function health(): ?array {
		return $this->read( fn () => $this->bridge->health() );
	}

	/**
	 * Problems matching a filter; empty when they cannot be read.
	 *
	 * @param array $filter See Bridge::problems().
	 */
	public function problems( array $filter ): array {
		return $this->read( fn () => $this->bridge->problems( $filter ) ) ?? array();
	}

	/**
	 * The cached Mirakl carriers; empty when they cannot be read.
	 */
	public function carriers(): array {
		return $this->read( fn () => $this->bridge->carriers() ) ?? array();
	}

	/**
	 * Reads the carriers from Mirakl now; null (with the message) when that failed.
	 */
	public function refresh_carriers(): ?array {
		return $this->read( fn () => $this->bridge->refresh_carriers() );
	}

	/**
	 * The call budgets, or null when they cannot be read.
	 */
	public function budgets(): ?array {
		return $this->read( fn () => $this->bridge->budgets() );
	}

	/**
	 * Orders near a deadline, or null when they cannot be read.
	 *
	 * @param int $horizon_hours How far ahead to look.
	 * @param int $limit         At most this many.
	 */
	public function orders_at_risk( int $horizon_hours, int $limit ): ?array {
		return $this->read( fn () => $this->bridge->orders_at_risk( $horizon_hours, $limit ) );
	}

	/**
	 * SKUs whose quantities disagree, or null when they cannot be read.
	 *
	 * @param int $limit At most this many.
	 */
	public function stock_drift( int $limit ): ?array {
		return $this->read( fn () => $this->bridge->stock_drift( $limit ) );
	}

	/**
	 * The latest jobs, or null when they cannot be read.
	 *
	 * @param int $limit At most this many.
	 */
	public function recent_activity( int $limit ): ?array {
		return $this->read( fn () => $this->bridge->recent_activity( $limit ) );
	}

	/**
	 * The cached refund reasons, or null when they cannot be read.
	 */
	public function refund_reasons(): ?array {
		return $this->read( fn () => $this->bridge->refund_reasons() );
	}

	/**
	 * One SKU's stock bookkeeping; null when never seen or when it cannot be read.
	 *
	 * @param string $sku The SKU.
	 */
	public function sku_status( string $sku ): ?array {
		return $this->read( fn () => $this->bridge->sku_status( $sku ) );
	}

	/**
	 * The connector's record of a shop order; null when unknown or when it cannot be read.
	 *
	 * @param int $order_id The WooCommerce order id.
	 */
	public function order_status( int $order_id ): ?array {
		return $this->read( fn () => $this->bridge->order_status( $order_id ) );
	}

	/**
	 * Of these shop refunds, those not sent to Mirakl yet; empty when they cannot be read.
	 *
	 * @param int[] $refund_ids Shop refund ids.
	 */
	public function refunds_waiting( array $refund_ids ): array {
		if ( array() === $refund_ids ) {
			return array();
		}
		return $this->read( fn () => $this->bridge->refunds_waiting( $refund_ids ) ) ?? array();
	}

	/**
	 * Runs one read; a failure (the extension missing, the state file unreadable) is kept as the
	 * last error and answers null.
	 *
	 * @param callable $read The read.
	 */
	private function read( callable $read ): ?array {
		try {
			$value = $read();
			return is_array( $value ) ? $value : null;
		} catch ( \Throwable $e ) {
			$this->last_error = $e->getMessage();
			return null;
		}
	}
}
