<?php
/**
 * The events of one request, collected in a map keyed by their business identity (SKU, order
 * id, refund id) and handed to the engine once, on `shutdown`: a product saved three times in a
 * request is one event, and a shopper's request pays for one small SQLite write at most. Nothing
 * here calls Mirakl, and nothing thrown here reaches WooCommerce: a failure is logged and the
 * periodic reconciliation heals what was lost.
 *
 * The action `mirakl_connector_flush_changes` hands the events over at once (the runner does
 * it before and after a tick).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Hooks;

use MiraklConnector\Native\Bridge;
use MiraklConnector\Runner\Log;

defined( 'ABSPATH' ) || exit;

/**
 * Per-request change map, flushed on shutdown.
 */
class ChangeMap {

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * SKU => stock quantity (last write wins).
	 *
	 * @var array<string, int>
	 */
	private array $stock = array();

	/**
	 * SKUs whose product data changed.
	 *
	 * @var array<string, true>
	 */
	private array $products = array();

	/**
	 * Order ids shipped or given tracking.
	 *
	 * @var array<int, true>
	 */
	private array $shipped = array();

	/**
	 * Refund ids created.
	 *
	 * @var array<int, true>
	 */
	private array $refunds = array();

	/**
	 * Whether the shutdown flush is hooked.
	 *
	 * @var bool
	 */
	private bool $hooked = false;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->bridge = $bridge;
	}

	/**
	 * Hooks the explicit flush action.
	 */
	public function register(): void {
		add_action( 'mirakl_connector_flush_changes', array( $this, 'flush' ) );
	}

	/**
	 * A SKU's stock was set.
	 *
	 * @param string $sku      SKU.
	 * @param int    $quantity Stock now.
	 */
	public function stock( string $sku, int $quantity ): void {
		$this->stock[ $sku ] = $quantity;
		$this->hook();
	}

	/**
	 * A SKU's product data changed.
	 *
	 * @param string $sku SKU.
	 */
	public function product( string $sku ): void {
		$this->products[ $sku ] = true;
		$this->hook();
	}

	/**
	 * An order was shipped or given tracking.
	 *
	 * @param int $order_id Order id.
	 */
	public function shipped( int $order_id ): void {
		$this->shipped[ $order_id ] = true;
		$this->hook();
	}

	/**
	 * A refund was created.
	 *
	 * @param int $refund_id Refund id.
	 */
	public function refund( int $refund_id ): void {
		$this->refunds[ $refund_id ] = true;
		$this->hook();
	}

	/**
	 * Whether nothing is waiting.
	 */
	public function is_empty(): bool {
		return ! $this->stock && ! $this->products && ! $this->shipped && ! $this->refunds;
	}

	/**
	 * What is waiting (for tests and the benchmark).
	 *
	 * @return array{stock: array<string, int>, products: string[], shipped: int[], refunds: int[]}
	 */
	public function pending(): array {
		return array(
			'stock'    => $this->stock,
			'products' => array_map( 'strval', array_keys( $this->products ) ),
			'shipped'  => array_keys( $this->shipped ),
			'refunds'  => array_keys( $this->refunds ),
		);
	}

	/**
	 * Hands everything collected to the engine. Never throws.
	 */
	public function flush(): void {
		if ( $this->is_empty() ) {
			return;
		}
		$stock          = $this->stock;
		$products       = $this->products;
		$shipped        = $this->shipped;
		$refunds        = $this->refunds;
		$this->stock    = array();
		$this->products = array();
		$this->shipped  = array();
		$this->refunds  = array();
		try {
			$bridge = $this->bridge;
			if ( $stock ) {
				$changes = array();
				foreach ( $stock as $sku => $quantity ) {
					$changes[] = array(
						'sku'      => (string) $sku,
						'quantity' => $quantity,
					);
				}
				$bridge->stock_changed( $changes );
			}
			if ( $products ) {
				$bridge->product_changed( array_map( 'strval', array_keys( $products ) ) );
			}
			foreach ( array_keys( $shipped ) as $order_id ) {
				$bridge->order_shipped( $order_id );
			}
			foreach ( array_keys( $refunds ) as $refund_id ) {
				$bridge->refund_created( $refund_id );
			}
		} catch ( \Throwable $e ) {
			Log::exception(
				sprintf(
					'Recording %d stock, %d product, %d shipping and %d refund event(s)',
					count( $stock ),
					count( $products ),
					count( $shipped ),
					count( $refunds )
				),
				$e
			);
		}
	}

	/**
	 * Hooks the shutdown flush on the first change of the request.
	 */
	private function hook(): void {
		if ( ! $this->hooked ) {
			$this->hooked = true;
			add_action( 'shutdown', array( $this, 'flush' ), 5 );
		}
	}
}
