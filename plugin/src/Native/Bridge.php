<?php
/**
 * The only class that touches the native extension. Everything else asks this bridge, so that a
 * missing or mismatched extension is detected in one place and never fatals the site.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Native;

defined( 'ABSPATH' ) || exit;

/**
 * Thin facade over the `MiraklConnector\Native\*` functions and the native `Engine` of the
 * extension. The engine is built lazily from the stored settings on first use in a request; the
 * extension itself keeps one SQLite connection per PHP process.
 */
class Bridge {

	public const EXTENSION = 'mirakl_connector';

	/**
	 * The native engine, once built in this request.
	 *
	 * @var \MiraklConnector\Native\Engine|null
	 */
	private $engine = null;

	/**
	 * Whether the extension is loaded into this PHP process.
	 */
	public function is_loaded(): bool {
		return extension_loaded( self::EXTENSION ) && function_exists( 'MiraklConnector\\Native\\version' );
	}

	/**
	 * The loaded extension's version, or null when it is not loaded.
	 */
	public function version(): ?string {
		return $this->is_loaded() ? \MiraklConnector\Native\version() : null;
	}

	/**
	 * Whether the loaded extension is the version this plugin was released with.
	 */
	public function matches_plugin(): bool {
		return $this->version() === MIRAKL_CONNECTOR_VERSION;
	}

	/**
	 * Validates connection settings in the core and returns them normalised.
	 *
	 * @param array $settings Raw settings (api_url, api_key, shop_id, connect_timeout, timeout).
	 * @return array Normalised settings.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 * @throws \RuntimeException When the extension is not loaded.
	 */
	public function validate_settings( array $settings ): array {
		$this->require_loaded();
		return \MiraklConnector\Native\validate_settings( $settings );
	}

	/**
	 * Validates sync settings (stock buffer, acceptance window, carrier map, ...) in the core.
	 *
	 * @param array $settings Raw sync settings; missing keys take their defaults.
	 * @return array Normalised sync settings, every key present.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 */
	public function validate_sync_settings( array $settings ): array {
		$this->require_loaded();
		return \MiraklConnector\Native\validate_sync_settings( $settings );
	}

	/**
	 * Validates finance settings (commission posting, rounding tolerance, import schedule).
	 *
	 * @param array $settings Raw finance settings; missing keys take their defaults.
	 * @return array Normalised finance settings.
	 * @throws \MiraklConnector\Native\SettingsException Naming the invalid field.
	 */
	public function validate_finance_settings( array $settings ): array {
		$this->require_loaded();
		return \MiraklConnector\Native\validate_finance_settings( $settings );
	}

	/*
	 * The extension's engine, one typed method each: the plugin reaches the core only through
	 * these. Each throws the extension's NativeException subclasses unchanged.
	 */

	/**
	 * Records stock changes (`sku`, `quantity` each); returns how many SKUs were marked.
	 */
	public function stock_changed( array $changes ): int {
		return (int) $this->engine()->stock_changed( $changes );
	}

	/**
	 * Records that these SKUs' offer data changed; returns how many were marked.
	 */
	public function product_changed( array $skus ): int {
		return (int) $this->engine()->product_changed( $skus );
	}

	/**
	 * Queues the shipment of a shop order (tracking, then shipped).
	 */
	public function order_shipped( int $order_id ): void {
		$this->engine()->order_shipped( $order_id );
	}

	/**
	 * Queues one Mirakl refund for a shop refund.
	 */
	public function refund_created( int $refund_id ): void {
		$this->engine()->refund_created( $refund_id );
	}

	/**
	 * Queues a stock reconciliation (every SKU when `$full`).
	 */
	public function reconcile_stock( bool $full ): void {
		$this->engine()->reconcile_stock( $full );
	}

	/**
	 * Queues an export of the whole catalogue's offers.
	 */
	public function export_catalogue(): void {
		$this->engine()->export_catalogue();
	}

	/**
	 * Runs due work for at most `$budget_ms`, calling the shop back; returns the tick report.
	 */
	public function tick( object $shop, int $budget_ms ): array {
		return (array) $this->engine()->tick( $shop, $budget_ms );
	}

	/**
	 * The runner's health: last tick, lateness, queue, open problems.
	 */
	public function health(): array {
		return (array) $this->engine()->health();
	}

	/**
	 * Problems matching `$filter` (`kind`, `state`, `severity`, `entity_type`, `entity_id`, `limit`, `offset`).
	 */
	public function problems( array $filter ): array {
		return (array) $this->engine()->problems( $filter );
	}

	/**
	 * Marks a problem resolved; false when it was not open.
	 */
	public function resolve_problem( int $id ): bool {
		return (bool) $this->engine()->resolve_problem( $id );
	}

	/**
	 * Re-queues the job behind a problem and closes it; returns the job id.
	 */
	public function retry_problem( int $id ): int {
		return (int) $this->engine()->retry_problem( $id );
	}

	/**
	 * Tests the saved connection against Mirakl; returns what it found.
	 */
	public function test_connection(): array {
		return (array) $this->engine()->test_connection();
	}

	/**
	 * Marketplace orders whose acceptance or shipping deadline falls within `$horizon_hours`.
	 */
	public function orders_at_risk( int $horizon_hours, int $limit ): array {
		return (array) $this->engine()->orders_at_risk( $horizon_hours, $limit );
	}

	/**
	 * The connector's record of a shop order, or null when it is not a known marketplace order.
	 */
	public function order_status( int $order_id ): ?array {
		$value = $this->engine()->order_status( $order_id );
		return is_array( $value ) ? $value : null;
	}

	/**
	 * Of these shop refunds of one order, those not sent to Mirakl yet, each with where it is
	 * (`queued`, `sending`, `failed`, `rejected`, `not_queued`).
	 *
	 * @param int[] $refund_ids Shop refund ids.
	 * @return list<array{wc_refund_id: int, state: string}>
	 */
	public function refunds_waiting( array $refund_ids ): array {
		return (array) $this->engine()->refunds_waiting( array_values( array_map( 'intval', $refund_ids ) ) );
	}

	/**
	 * SKUs whose shop, last pushed and marketplace quantities disagree.
	 */
	public function stock_drift( int $limit ): array {
		return (array) $this->engine()->stock_drift( $limit );
	}

	/**
	 * One SKU's stock bookkeeping, or null when never seen.
	 */
	public function sku_status( string $sku ): ?array {
		$value = $this->engine()->sku_status( $sku );
		return is_array( $value ) ? $value : null;
	}

	/**
	 * How much of each Mirakl call budget is spent in its current window.
	 */
	public function budgets(): array {
		return (array) $this->engine()->budgets();
	}

	/**
	 * The latest jobs, newest first.
	 */
	public function recent_activity( int $limit ): array {
		return (array) $this->engine()->recent_activity( $limit );
	}

	/**
	 * The refund reasons (RE01) as last cached.
	 */
	public function refund_reasons(): array {
		return (array) $this->engine()->refund_reasons();
	}

	/**
	 * The Mirakl carriers (SH21) as last cached.
	 */
	public function carriers(): array {
		return (array) $this->engine()->carriers();
	}

	/**
	 * Reads the carriers from Mirakl now (SH21, within its budget) and caches them.
	 */
	public function refresh_carriers(): array {
		return (array) $this->engine()->refresh_carriers();
	}

	/**
	 * Imports the marketplace ledger (TL02, IV01, SBC11) within its budgets.
	 */
	public function finance_import(): array {
		return (array) $this->engine()->finance_import();
	}

	/**
	 * Where the finance import stands.
	 */
	public function finance_import_status(): array {
		return (array) $this->engine()->finance_import_status();
	}

	/**
	 * Reports what only WooCommerce knows of these marketplace orders (figures as they stand,
	 * its own total); the core folds them into the expected side and checks the total.
	 *
	 * @param array $orders The core's ShopOrderReport shape, one per order.
	 * @return array {recorded, total_mismatches}.
	 */
	public function finance_shop_orders( array $orders ): array {
		return (array) $this->engine()->finance_shop_orders( $orders );
	}

	/**
	 * The expected side of a Mirakl order as the core holds it, or null.
	 *
	 * @param string $mirakl_order_id Mirakl order id.
	 */
	public function finance_expected_order( string $mirakl_order_id ): ?array {
		$order = $this->engine()->finance_expected_order( $mirakl_order_id );
		return is_array( $order ) ? $order : null;
	}

	/**
	 * A marketplace order draft with every figure the engine sends the shop (amounts, the
	 * commission fee line of the finance settings).
	 *
	 * @param array $draft The Shop port's draft.
	 */
	public function order_draft( array $draft ): array {
		return (array) $this->engine()->order_draft( $draft );
	}

	/**
	 * Matches the ledger with the expected side and raises finance problems.
	 */
	public function finance_match(): array {
		return (array) $this->engine()->finance_match();
	}

	/**
	 * Payouts with their expected and paid amounts.
	 */
	public function finance_payouts( array $filter ): array {
		return (array) $this->engine()->finance_payouts( $filter );
	}

	/**
	 * The month-end report (with order rows when `$with_orders`).
	 */
	public function finance_month_end( int $year, int $month, ?string $currency = null, bool $with_orders = false ): array {
		return (array) $this->engine()->finance_month_end( $year, $month, $currency, $with_orders );
	}

	/**
	 * A month as CSV: `summary`, `orders` or `ledger`.
	 */
	public function finance_csv( string $kind, int $year, int $month, ?string $currency = null ): string {
		return (string) $this->engine()->finance_csv( $kind, $year, $month, $currency );
	}

	/**
	 * The native engine for this site, built from the stored settings and the state file.
	 * Events can be recorded before the connection is configured; calls that need Mirakl throw
	 * SettingsException until it is.
	 *
	 * @return \MiraklConnector\Native\Engine
	 * @throws \MiraklConnector\Native\NativeException When the state file cannot be opened.
	 */
	private function engine() {
		if ( null === $this->engine ) {
			$this->require_loaded();
			\MiraklConnector\StateDirectory::ensure();
			$connection   = get_option( \MiraklConnector\Lifecycle::OPTION_SETTINGS, array() );
			$sync         = get_option( \MiraklConnector\Lifecycle::OPTION_SYNC_SETTINGS, array() );
			$finance      = get_option( \MiraklConnector\Lifecycle::OPTION_FINANCE_SETTINGS, array() );
			$this->engine = new \MiraklConnector\Native\Engine(
				is_array( $connection ) ? $connection : array(),
				is_array( $sync ) ? $sync : array(),
				\MiraklConnector\StateDirectory::state_file(),
				is_array( $finance ) ? $finance : array()
			);
		}
		return $this->engine;
	}

	/**
	 * Forgets the engine built in this request (after settings changed).
	 */
	public function reset(): void {
		$this->engine = null;
	}

	/**
	 * Refuses to go on without the extension.
	 *
	 * @throws \RuntimeException When the extension is not loaded.
	 */
	private function require_loaded(): void {
		if ( ! $this->is_loaded() ) {
			throw new \RuntimeException( 'The mirakl_connector PHP extension is not loaded.' );
		}
	}
}
