<?php
/**
 * WooCommerce → Mirakl finance: the month-end report finance closes from. A month and currency
 * picker; per currency the month's figures (sales, shipping, taxes, refunds, commissions and
 * their VAT, fees, net revenue, payouts received, balance still owed); the payouts of the month
 * with expected net, amount paid and difference explained line by line; the orders behind the
 * figures, linked to their WooCommerce order; CSV downloads; the import's state with "Import now"
 * and "Match now"; and the finance settings. Every action needs `manage_woocommerce` and its
 * nonce; everything printed is escaped.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Admin\Flash;
use MiraklConnector\Admin\Format;
use MiraklConnector\Admin\Guard;
use MiraklConnector\Admin\View;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * The finance screen and its actions.
 */
class FinancePage {

	public const SLUG          = 'mirakl-connector-finance';
	public const ACTION_IMPORT = 'mirakl_connector_finance_import_now';
	public const ACTION_MATCH  = 'mirakl_connector_finance_match_now';
	public const ACTION_SAVE   = 'mirakl_connector_finance_save_settings';

	/** Order rows shown on the page (the orders CSV has them all). */
	public const ORDER_ROWS = 200;

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * The finance run.
	 *
	 * @var FinanceRun
	 */
	private FinanceRun $run;

	/**
	 * The finance settings.
	 *
	 * @var FinanceSettings
	 */
	private FinanceSettings $settings;

	/**
	 * Constructor.
	 *
	 * @param Bridge          $bridge   The native bridge.
	 * @param FinanceRun      $run      The finance run.
	 * @param FinanceSettings $settings The finance settings.
	 */
	public function __construct( Bridge $bridge, FinanceRun $run, FinanceSettings $settings ) {
		$this->bridge   = $bridge;
		$this->run      = $run;
		$this->settings = $settings;
	}

	/**
	 * Hooks the menu, the actions and the stylesheet.
	 */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'add_menu' ), 61 );
		add_action( 'admin_post_' . self::ACTION_IMPORT, array( $this, 'on_import' ) );
		add_action( 'admin_post_' . self::ACTION_MATCH, array( $this, 'on_match' ) );
		add_action( 'admin_post_' . self::ACTION_SAVE, array( $this, 'on_save' ) );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
	}

	/**
	 * WooCommerce → Mirakl finance.
	 */
	public function add_menu(): void {
		add_submenu_page( 'woocommerce', __( 'Mirakl finance', 'mirakl-connector-for-woocommerce' ), __( 'Mirakl finance', 'mirakl-connector-for-woocommerce' ), Guard::CAPABILITY, self::SLUG, array( $this, 'render' ) );
	}

	/**
	 * The page's URL.
	 *
	 * @param array $args Query arguments (month, currency).
	 */
	public static function url( array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => self::SLUG ), $args ), admin_url( 'admin.php' ) );
	}

	/**
	 * The stylesheet, on this page only.
	 *
	 * @param string $hook_suffix Current screen's hook.
	 */
	public function enqueue( $hook_suffix ): void {
		if ( ! str_contains( (string) $hook_suffix, self::SLUG ) ) {
			return;
		}
		wp_enqueue_style( 'mirakl-connector-finance', plugins_url( 'assets/finance.css', MIRAKL_CONNECTOR_FILE ), array(), MIRAKL_CONNECTOR_VERSION );
	}

	// ---------------------------------------------------------------------------- actions --

	/**
	 * The month and currency posted with an action, to come back to them.
	 */
	private static function posted_view(): array {
		// phpcs:disable WordPress.Security.NonceVerification -- checked by Guard::authorize().
		$view = array();
		if ( isset( $_REQUEST['month'] ) && null !== Period::parse( sanitize_text_field( wp_unslash( $_REQUEST['month'] ) ) ) ) {
			$view['month'] = sanitize_text_field( wp_unslash( $_REQUEST['month'] ) );
		}
		if ( isset( $_REQUEST['currency'] ) && preg_match( '/^[A-Z]{3}$/', sanitize_text_field( wp_unslash( $_REQUEST['currency'] ) ) ) ) {
			$view['currency'] = sanitize_text_field( wp_unslash( $_REQUEST['currency'] ) );
		}
		// phpcs:enable
		return $view;
	}

	/**
	 * admin-post: imports the ledger now, then matches when the import read everything.
	 */
	public function on_import(): void {
		Guard::authorize( self::ACTION_IMPORT );
		$this->import_now();
		Guard::redirect( self::url( self::posted_view() ) );
	}

	/**
	 * Runs the import (and the match); leaves a flash message.
	 */
	public function import_now(): bool {
		try {
			$result = $this->run->run();
			FinanceCron::schedule_resume( $result['import'] );
			$import  = $result['import'];
			$message = sprintf(
				/* translators: 1: transactions read, 2: new, 3: updated */
				__( 'Ledger imported: %1$d transactions read, %2$d new, %3$d updated.', 'mirakl-connector-for-woocommerce' ),
				(int) ( $import['transactions_seen'] ?? 0 ),
				(int) ( $import['inserted'] ?? 0 ),
				(int) ( $import['updated'] ?? 0 )
			);
			if ( empty( $import['complete'] ) ) {
				$message .= ' ' . sprintf(
					/* translators: %s: time */
					__( 'Mirakl\'s call limit stopped it part-way; it goes on by itself at %s.', 'mirakl-connector-for-woocommerce' ),
					Format::when( (string) ( $import['resume_at'] ?? '' ) )
				);
			} elseif ( is_array( $result['match'] ) ) {
				$message .= ' ' . self::match_sentence( $result['match'] );
			}
			Flash::set( 'success', $message );
			return true;
		} catch ( \Throwable $e ) {
			/* translators: %s: reason */
			Flash::set( 'error', sprintf( __( 'The ledger could not be imported: %s', 'mirakl-connector-for-woocommerce' ), $e->getMessage() ) );
			return false;
		}
	}

	/**
	 * admin-post: matches WooCommerce with the ledger now (every marketplace order).
	 */
	public function on_match(): void {
		Guard::authorize( self::ACTION_MATCH );
		try {
			Flash::set( 'success', self::match_sentence( $this->run->match( true ) ) );
		} catch ( \Throwable $e ) {
			/* translators: %s: reason */
			Flash::set( 'error', sprintf( __( 'The orders could not be matched: %s', 'mirakl-connector-for-woocommerce' ), $e->getMessage() ) );
		}
		Guard::redirect( self::url( self::posted_view() ) );
	}

	/**
	 * A match report in one sentence.
	 *
	 * @param array $report MatchReport.
	 */
	private static function match_sentence( array $report ): string {
		return sprintf(
			/* translators: 1: orders checked, 2: matched, 3: mismatched, 4: awaiting payment, 5: new problems */
			__( 'Orders checked: %1$d; matched: %2$d; differing: %3$d; not yet booked by Mirakl: %4$d; new problems: %5$d.', 'mirakl-connector-for-woocommerce' ),
			(int) ( $report['orders_checked'] ?? 0 ),
			(int) ( $report['orders_matched'] ?? 0 ),
			(int) ( $report['orders_mismatched'] ?? 0 ),
			(int) ( $report['orders_awaiting'] ?? 0 ),
			(int) ( $report['problems_raised'] ?? 0 )
		);
	}

	/**
	 * admin-post: saves the finance settings.
	 */
	public function on_save(): void {
		Guard::authorize( self::ACTION_SAVE );
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked by Guard::authorize().
		$posted = isset( $_POST['finance'] ) && is_array( $_POST['finance'] ) ? wp_unslash( $_POST['finance'] ) : array();
		$values = array(
			'commission_posting'       => sanitize_key( (string) ( $posted['commission_posting'] ?? 'meta_only' ) ),
			'commission_fee_line_name' => sanitize_text_field( (string) ( $posted['commission_fee_line_name'] ?? '' ) ),
			'commission_account'       => sanitize_text_field( (string) ( $posted['commission_account'] ?? '' ) ),
			'rounding_tolerance'       => sanitize_text_field( (string) ( $posted['rounding_tolerance'] ?? '' ) ),
			'import_interval_hours'    => sanitize_text_field( (string) ( $posted['import_interval_hours'] ?? '' ) ),
			'import_documents'         => ! empty( $posted['import_documents'] ),
		);
		try {
			$this->settings->save( $values );
			Flash::set( 'success', __( 'Finance settings saved.', 'mirakl-connector-for-woocommerce' ) );
		} catch ( \Throwable $e ) {
			/* translators: %s: the field and what is wrong with it */
			Flash::set( 'error', sprintf( __( 'Finance settings not saved: %s', 'mirakl-connector-for-woocommerce' ), $e->getMessage() ) );
		}
		Guard::redirect( self::url( self::posted_view() ) . '#mirakl-finance-settings' );
	}

	// ----------------------------------------------------------------------------- render --

	/**
	 * Prints the page.
	 */
	public function render(): void {
		if ( ! current_user_can( Guard::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to see the Mirakl connector.', 'mirakl-connector-for-woocommerce' ), '', array( 'response' => 403 ) );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- a read-only view.
		$month    = isset( $_GET['month'] ) ? Period::parse( sanitize_text_field( wp_unslash( $_GET['month'] ) ) ) : null;
		$currency = isset( $_GET['currency'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_GET['currency'] ) ) ) : '';
		// phpcs:enable
		$month    = $month ?? Period::current();
		$currency = preg_match( '/^[A-Z]{3}$/', $currency ) ? $currency : '';
		$period   = $month['period'];

		$report = null;
		$error  = null;
		try {
			$report = (array) $this->bridge->finance_month_end( $month['year'], $month['month'], '' === $currency ? null : $currency, true );
		} catch ( \Throwable $e ) {
			$error = $e->getMessage();
		}
		$view = array( 'month' => $period ) + ( '' === $currency ? array() : array( 'currency' => $currency ) );

		View::render(
			'html-admin-finance',
			array(
				'flash'    => Flash::take(),
				'error'    => $error,
				'picker'   => $this->picker( $period, $currency ),
				'import'   => $this->import_status( $view ),
				'figures'  => array(
					'period'     => $period,
					'currency'   => $currency,
					'currencies' => is_array( $report['currencies'] ?? null ) ? $report['currencies'] : array(),
					'labels'     => self::figure_labels(),
				),
				'payouts'  => $this->payouts( $report, $currency ),
				'orders'   => $this->orders( $report ),
				'settings' => array(
					'action'   => self::ACTION_SAVE,
					'settings' => $this->settings->all(),
					'view'     => $view,
				),
			)
		);
	}

	/**
	 * The month and currency picker, and the CSV downloads.
	 *
	 * @param string $period   YYYY-MM.
	 * @param string $currency Currency or ''.
	 */
	private function picker( string $period, string $currency ): array {
		$downloads = array();
		foreach ( array(
			'summary' => __( 'summary', 'mirakl-connector-for-woocommerce' ),
			'orders'  => __( 'orders', 'mirakl-connector-for-woocommerce' ),
			'ledger'  => __( 'ledger', 'mirakl-connector-for-woocommerce' ),
		) as $kind => $label ) {
			$downloads[] = array(
				'kind'  => $kind,
				'url'   => CsvDownload::url( $kind, $period, '' === $currency ? null : $currency ),
				'label' => $label,
			);
		}
		return array(
			'slug'      => self::SLUG,
			'period'    => $period,
			'currency'  => $currency,
			'downloads' => $downloads,
		);
	}

	/**
	 * The import's state, the last match, and the buttons.
	 *
	 * @param array $view The month and currency shown, posted back with the buttons.
	 */
	private function import_status( array $view ): array {
		$status = $this->run->status();
		$last   = FinanceRun::last_run();
		$rows   = array(
			__( 'Last complete import', 'mirakl-connector-for-woocommerce' ) => Format::when( (string) ( $status['last_complete'] ?? '' ) ),
			__( 'Next import', 'mirakl-connector-for-woocommerce' )          => Format::when( (string) ( $status['next_due'] ?? '' ) ),
		);
		if ( ! empty( $status['in_progress'] ) ) {
			$rows[ __( 'Import in progress, resumes at', 'mirakl-connector-for-woocommerce' ) ] = Format::when( (string) ( $status['resume_at'] ?? '' ) );
		}
		if ( isset( $last['match'] ) ) {
			$rows[ __( 'Last match', 'mirakl-connector-for-woocommerce' ) ] = Format::when( gmdate( 'c', (int) ( $last['match_at'] ?? 0 ) ) ) . ' — ' . self::match_sentence( (array) $last['match'] );
		}
		return array(
			'rows'          => $rows,
			'open_problems' => $this->open_problems(),
			'view'          => $view,
			'actions'       => array(
				array(
					'action' => self::ACTION_IMPORT,
					'label'  => __( 'Import now', 'mirakl-connector-for-woocommerce' ),
					'class'  => 'button-primary',
				),
				array(
					'action' => self::ACTION_MATCH,
					'label'  => __( 'Match now', 'mirakl-connector-for-woocommerce' ),
					'class'  => '',
				),
			),
		);
	}

	/**
	 * Open finance problems.
	 */
	private function open_problems(): int {
		$count = 0;
		try {
			$bridge = $this->bridge;
			foreach ( array_keys( FinanceKinds::labels() ) as $kind ) {
				$count += count( (array) $bridge->problems( array( 'kind' => $kind, 'state' => 'open', 'limit' => 500 ) ) );
			}
		} catch ( \Throwable $e ) {
			return 0;
		}
		return $count;
	}

	/**
	 * Report figures in display order: key => [label, row class].
	 *
	 * @return array<string, array{0: string, 1: string}>
	 */
	public static function figure_labels(): array {
		return array(
			'gross_sales'      => array( __( 'Gross sales (without tax or shipping)', 'mirakl-connector-for-woocommerce' ), '' ),
			'shipping'         => array( __( 'Shipping', 'mirakl-connector-for-woocommerce' ), '' ),
			'taxes'            => array( __( 'Taxes collected', 'mirakl-connector-for-woocommerce' ), '' ),
			'refunds'          => array( __( 'Refunds (without tax)', 'mirakl-connector-for-woocommerce' ), '' ),
			'refund_taxes'     => array( __( 'Taxes refunded', 'mirakl-connector-for-woocommerce' ), '' ),
			'commissions'      => array( __( 'Commissions', 'mirakl-connector-for-woocommerce' ), '' ),
			'commission_vat'   => array( __( 'VAT on commissions', 'mirakl-connector-for-woocommerce' ), '' ),
			'fees'             => array( __( 'Fees', 'mirakl-connector-for-woocommerce' ), '' ),
			'subscriptions'    => array( __( 'Subscriptions', 'mirakl-connector-for-woocommerce' ), '' ),
			'manual_credits'   => array( __( 'Manual credits', 'mirakl-connector-for-woocommerce' ), '' ),
			'manual_invoices'  => array( __( 'Manual invoices', 'mirakl-connector-for-woocommerce' ), '' ),
			'operator'         => array( __( 'Operator-remitted taxes and shipping', 'mirakl-connector-for-woocommerce' ), '' ),
			'purchases'        => array( __( 'Purchases', 'mirakl-connector-for-woocommerce' ), '' ),
			'reserve'          => array( __( 'Reserve', 'mirakl-connector-for-woocommerce' ), '' ),
			'other'            => array( __( 'Other (unknown transaction types)', 'mirakl-connector-for-woocommerce' ), '' ),
			'net_revenue'      => array( __( 'Net revenue', 'mirakl-connector-for-woocommerce' ), 'mirakl-total' ),
			'opening_balance'  => array( __( 'Owed at the start of the month', 'mirakl-connector-for-woocommerce' ), '' ),
			'payouts_received' => array( __( 'Payouts received', 'mirakl-connector-for-woocommerce' ), '' ),
			'balance_owed'     => array( __( 'Balance still owed by the marketplace', 'mirakl-connector-for-woocommerce' ), 'mirakl-total' ),
			'pending'          => array( __( '… of which pending', 'mirakl-connector-for-woocommerce' ), 'mirakl-sub' ),
			'payable'          => array( __( '… of which payable in the next payout', 'mirakl-connector-for-woocommerce' ), 'mirakl-sub' ),
			'cancelled_sales'  => array( __( 'Sales voided by cancellation (not counted)', 'mirakl-connector-for-woocommerce' ), 'mirakl-sub' ),
		);
	}

	/**
	 * The month's payouts with what they settle, or why they could not be read.
	 *
	 * @param array|null $report   MonthEndReport (for the month's bounds).
	 * @param string     $currency Currency or ''.
	 */
	private function payouts( ?array $report, string $currency ): array {
		$payouts = array();
		$error   = null;
		if ( null !== $report ) {
			try {
				$filter = array(
					'from' => (string) $report['from'],
					'to'   => (string) $report['to'],
				);
				if ( '' !== $currency ) {
					$filter['currency'] = $currency;
				}
				$payouts = (array) $this->bridge->finance_payouts( $filter );
			} catch ( \Throwable $e ) {
				$error = $e->getMessage();
			}
		}
		$rows = array();
		foreach ( $payouts as $payout ) {
			$rows[] = array(
				'transaction_id' => (string) ( $payout['transaction_id'] ?? '' ),
				'currency'       => (string) ( $payout['currency'] ?? '' ),
				'reference'      => (string) ( $payout['payout_reference'] ?? $payout['accounting_document_number'] ?? $payout['transaction_id'] ?? '' ),
				'reconciled'     => ! empty( $payout['reconciled'] ),
				'date'           => (string) ( $payout['date'] ?? '' ),
				'orders'         => (int) ( $payout['orders'] ?? 0 ),
				'expected_net'   => (string) ( $payout['expected_net'] ?? '0' ),
				'amount_paid'    => (string) ( $payout['amount_paid'] ?? '0' ),
				'difference'     => (string) ( $payout['difference'] ?? '0' ),
				'lines'          => (array) ( $payout['lines'] ?? array() ),
				'explanation'    => array_map( 'strval', (array) ( $payout['explanation'] ?? array() ) ),
			);
		}
		return array(
			'error'   => $error,
			'payouts' => $rows,
		);
	}

	/**
	 * The orders behind the figures, the first ORDER_ROWS of them.
	 *
	 * @param array|null $report MonthEndReport.
	 */
	private function orders( ?array $report ): array {
		$orders = is_array( $report['orders'] ?? null ) ? $report['orders'] : array();
		$rows   = array();
		foreach ( array_slice( $orders, 0, self::ORDER_ROWS ) as $row ) {
			$wc_id  = (int) ( $row['wc_order_id'] ?? 0 );
			$rows[] = $row + array(
				'edit_url' => $wc_id > 0 ? self::order_edit_url( $wc_id ) : '',
			);
		}
		return array(
			'rows'    => $rows,
			'total'   => count( $orders ),
			'columns' => array(
				'sales'          => __( 'Sales', 'mirakl-connector-for-woocommerce' ),
				'shipping'       => __( 'Shipping', 'mirakl-connector-for-woocommerce' ),
				'taxes'          => __( 'Taxes', 'mirakl-connector-for-woocommerce' ),
				'refunds'        => __( 'Refunds', 'mirakl-connector-for-woocommerce' ),
				'refund_taxes'   => __( 'Refund taxes', 'mirakl-connector-for-woocommerce' ),
				'commissions'    => __( 'Commissions', 'mirakl-connector-for-woocommerce' ),
				'commission_vat' => __( 'Commission VAT', 'mirakl-connector-for-woocommerce' ),
				'fees'           => __( 'Fees', 'mirakl-connector-for-woocommerce' ),
				'net'            => __( 'Net', 'mirakl-connector-for-woocommerce' ),
			),
		);
	}

	/**
	 * The edit screen of an order, in either order storage.
	 *
	 * @param int $order_id Order id.
	 */
	public static function order_edit_url( int $order_id ): string {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\OrderUtil' ) && method_exists( '\Automattic\WooCommerce\Utilities\OrderUtil', 'get_order_admin_edit_url' ) ) {
			return (string) \Automattic\WooCommerce\Utilities\OrderUtil::get_order_admin_edit_url( $order_id );
		}
		$order = function_exists( 'wc_get_order' ) ? wc_get_order( $order_id ) : null;
		return $order instanceof \WC_Order ? (string) $order->get_edit_order_url() : '';
	}
}
