<?php
/**
 * The events of one request, collected in a map keyed by their business identity (SKU, order
 * id, refund id) and handed to the engine early, so a fatal error later in the request cannot
 * lose them: a shipment or a refund the moment it is noted, stock and product changes at the end
 * of the WooCommerce action that made them (an order's stock reduced or restored, a product
 * saved, a refund or a status change done). `shutdown` is the catch-all for what is left. A
 * product saved three times in a request is still one event per write point; every write is
 * idempotent, and one already written is not written again unless it changed. Nothing here
 * calls Mirakl, and nothing thrown here reaches WooCommerce: a failure is logged, the event
 * stays for the next write point, and the sweeper and the periodic reconciliation heal what
 * was lost.
 *
 * The action `mirakl_connector_flush_changes` hands the events over at once (the runner does
 * it before and after a tick); no early write happens while the engine's own tick runs.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Hooks;

use MiraklConnector\Native\Bridge;
use MiraklConnector\Runner\Log;
use MiraklConnector\Shop\WooShop;

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
	 * What was written early and has not changed since: "kind:id" => the value written.
	 *
	 * @var array<string, int|true>
	 */
	private array $written = array();

	/**
	 * Set while the engine's tick runs in this request (no early writes then).
	 *
	 * @var int
	 */
	private int $held = 0;

	/**
	 * The WooCommerce actions that end a stock or product change: the events collected are
	 * written when one of them is done.
	 */
	private const WRITE_POINTS = array(
		'woocommerce_reduce_order_stock',
		'woocommerce_restore_order_stock',
		'woocommerce_order_status_changed',
		'woocommerce_order_refunded',
		'woocommerce_refund_created',
		'woocommerce_new_product',
		'woocommerce_update_product',
		'woocommerce_new_product_variation',
		'woocommerce_update_product_variation',
	);

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
		foreach ( self::WRITE_POINTS as $action ) {
			// After every hook of the connector's own on the same action.
			add_action( $action, array( $this, 'write_early' ), 1000, 0 );
		}
	}

	/**
	 * Runs `$run` (the engine's tick) with early writes held: the engine records its own
	 * changes, and the runner flushes once it returns.
	 *
	 * @param callable $run What to run.
	 * @return mixed What it returned.
	 */
	public function holding( callable $run ) {
		++$this->held;
		try {
			return $run();
		} finally {
			--$this->held;
		}
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
		unset( $this->written[ 'product:' . $sku ] );
		$this->hook();
	}

	/**
	 * An order was shipped or given tracking.
	 *
	 * @param int $order_id Order id.
	 */
	public function shipped( int $order_id ): void {
		$this->shipped[ $order_id ] = true;
		unset( $this->written[ 'shipped:' . $order_id ] );
		$this->hook();
		$this->write_early();
	}

	/**
	 * A refund was created.
	 *
	 * @param int $refund_id Refund id.
	 */
	public function refund( int $refund_id ): void {
		$this->refunds[ $refund_id ] = true;
		$this->hook();
		$this->write_early();
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
	 * Hands everything collected to the engine and empties the map. Never throws.
	 */
	public function flush(): void {
		if ( $this->is_empty() ) {
			$this->written = array();
			return;
		}
		$this->write();
		$this->stock    = array();
		$this->products = array();
		$this->shipped  = array();
		$this->refunds  = array();
		$this->written  = array();
	}

	/**
	 * Writes what was collected and not written yet, keeping it listed (`pending()`) until
	 * the flush. Held while the engine's tick runs. Never throws.
	 */
	public function write_early(): void {
		if ( $this->held > 0 || WooShop::is_applying() || $this->is_empty() ) {
			return;
		}
		$this->write();
	}

	/**
	 * Writes the events not written yet; marks each written once the engine has it.
	 */
	private function write(): void {
		$stock    = array();
		$products = array();
		$shipped  = array();
		$refunds  = array();
		foreach ( $this->stock as $sku => $quantity ) {
			if ( ( $this->written[ 'stock:' . $sku ] ?? null ) !== $quantity ) {
				$stock[ (string) $sku ] = $quantity;
			}
		}
		foreach ( array_keys( $this->products ) as $sku ) {
			if ( ! isset( $this->written[ 'product:' . $sku ] ) ) {
				$products[] = (string) $sku;
			}
		}
		foreach ( array_keys( $this->shipped ) as $order_id ) {
			if ( ! isset( $this->written[ 'shipped:' . $order_id ] ) ) {
				$shipped[] = (int) $order_id;
			}
		}
		foreach ( array_keys( $this->refunds ) as $refund_id ) {
			if ( ! isset( $this->written[ 'refund:' . $refund_id ] ) ) {
				$refunds[] = (int) $refund_id;
			}
		}
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
				foreach ( $stock as $sku => $quantity ) {
					$this->written[ 'stock:' . $sku ] = $quantity;
				}
			}
			if ( $products ) {
				$bridge->product_changed( $products );
				foreach ( $products as $sku ) {
					$this->written[ 'product:' . $sku ] = true;
				}
			}
			foreach ( $shipped as $order_id ) {
				$bridge->order_shipped( $order_id );
				$this->written[ 'shipped:' . $order_id ] = true;
			}
			foreach ( $refunds as $refund_id ) {
				$bridge->refund_created( $refund_id );
				$this->written[ 'refund:' . $refund_id ] = true;
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
