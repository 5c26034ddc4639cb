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

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\Flash;
use MiraklConnector\Admin\Guard;
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
					self::when( (string) ( $import['resume_at'] ?? '' ) )
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

		$report = null;
		$error  = null;
		try {
			$report = (array) $this->bridge->finance_month_end( $month['year'], $month['month'], '' === $currency ? null : $currency, true );
		} catch ( \Throwable $e ) {
			$error = $e->getMessage();
		}

		echo '<div class="wrap mirakl-admin mirakl-finance">';
		echo '<h1 class="wp-heading-inline">' . esc_html__( 'Mirakl finance', 'mirakl-connector-for-woocommerce' ) . '</h1> ';
		printf( '<a class="page-title-action" href="%s">%s</a>', esc_url( DashboardPage::url() ), esc_html__( 'Dashboard', 'mirakl-connector-for-woocommerce' ) );
		echo '<hr class="wp-header-end">';
		$flash = Flash::take();
		if ( null !== $flash ) {
			Flash::render( $flash );
		}
		if ( null !== $error ) {
			/* translators: %s: reason */
			printf( '<div class="notice notice-error"><p>%s</p></div>', esc_html( sprintf( __( 'The report could not be read: %s', 'mirakl-connector-for-woocommerce' ), $error ) ) );
		}
		$this->picker( $month['period'], $currency );
		$this->import_section( $month['period'], $currency );
		$this->figures_section( $report, $month['period'], $currency );
		$this->payouts_section( $report, $currency );
		$this->orders_section( $report );
		$this->settings_section( $month['period'], $currency );
		echo '</div>';
	}

	/**
	 * Month and currency picker, and the CSV downloads.
	 *
	 * @param string $period   YYYY-MM.
	 * @param string $currency Currency or ''.
	 */
	private function picker( string $period, string $currency ): void {
		echo '<form method="get" class="mirakl-finance-picker" action="' . esc_url( admin_url( 'admin.php' ) ) . '">';
		echo '<input type="hidden" name="page" value="' . esc_attr( self::SLUG ) . '">';
		printf( '<label for="mirakl-finance-month">%s</label> ', esc_html__( 'Month', 'mirakl-connector-for-woocommerce' ) );
		printf( '<input type="month" id="mirakl-finance-month" name="month" value="%s" required> ', esc_attr( $period ) );
		printf( '<label for="mirakl-finance-currency">%s</label> ', esc_html__( 'Currency', 'mirakl-connector-for-woocommerce' ) );
		printf( '<input type="text" id="mirakl-finance-currency" name="currency" value="%s" size="4" maxlength="3" pattern="[A-Za-z]{3}" placeholder="%s"> ', esc_attr( $currency ), esc_attr__( 'all', 'mirakl-connector-for-woocommerce' ) );
		printf( '<button type="submit" class="button">%s</button>', esc_html__( 'Show', 'mirakl-connector-for-woocommerce' ) );
		echo '<span class="mirakl-finance-downloads">';
		echo esc_html__( 'Download CSV:', 'mirakl-connector-for-woocommerce' ) . ' ';
		$labels = array(
			'summary' => __( 'summary', 'mirakl-connector-for-woocommerce' ),
			'orders'  => __( 'orders', 'mirakl-connector-for-woocommerce' ),
			'ledger'  => __( 'ledger', 'mirakl-connector-for-woocommerce' ),
		);
		foreach ( $labels as $kind => $label ) {
			printf( '<a class="button mirakl-csv mirakl-csv-%1$s" href="%2$s">%3$s</a> ', esc_attr( $kind ), esc_url( CsvDownload::url( $kind, $period, '' === $currency ? null : $currency ) ), esc_html( $label ) );
		}
		echo '</span></form>';
	}

	/**
	 * The import's state, the last match, and the buttons.
	 *
	 * @param string $period   YYYY-MM.
	 * @param string $currency Currency or ''.
	 */
	private function import_section( string $period, string $currency ): void {
		$status = $this->run->status();
		$last   = FinanceRun::last_run();
		echo '<section class="mirakl-card mirakl-finance-import" id="mirakl-finance-import"><h2>' . esc_html__( 'Ledger import and matching', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		echo '<p class="description">' . esc_html__( 'The Mirakl ledger (transactions, accounting documents, billing cycles) is imported in batches on a schedule, not in real time. Each complete import is followed by a match of every marketplace order with what WooCommerce says it is worth; differences show as problems on the dashboard.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		echo '<dl class="mirakl-finance-status">';
		$rows = array(
			__( 'Last complete import', 'mirakl-connector-for-woocommerce' ) => self::when( (string) ( $status['last_complete'] ?? '' ) ),
			__( 'Next import', 'mirakl-connector-for-woocommerce' )          => self::when( (string) ( $status['next_due'] ?? '' ) ),
		);
		if ( ! empty( $status['in_progress'] ) ) {
			$rows[ __( 'Import in progress, resumes at', 'mirakl-connector-for-woocommerce' ) ] = self::when( (string) ( $status['resume_at'] ?? '' ) );
		}
		if ( isset( $last['match'] ) ) {
			$rows[ __( 'Last match', 'mirakl-connector-for-woocommerce' ) ] = self::when( gmdate( 'c', (int) ( $last['match_at'] ?? 0 ) ) ) . ' — ' . self::match_sentence( (array) $last['match'] );
		}
		foreach ( $rows as $label => $value ) {
			printf( '<dt>%s</dt><dd>%s</dd>', esc_html( $label ), esc_html( $value ) );
		}
		echo '</dl>';
		$open = $this->open_problems();
		if ( $open > 0 ) {
			printf(
				'<p class="mirakl-finance-problems"><a href="%s">%s</a></p>',
				esc_url( DashboardPage::url( 'mirakl-problems' ) ),
				/* translators: %d: open finance problems */
				esc_html( sprintf( _n( '%d finance difference needs a look on the dashboard', '%d finance differences need a look on the dashboard', $open, 'mirakl-connector-for-woocommerce' ), $open ) )
			);
		}
		$view = array( 'month' => $period ) + ( '' === $currency ? array() : array( 'currency' => $currency ) );
		foreach ( array(
			self::ACTION_IMPORT => array( __( 'Import now', 'mirakl-connector-for-woocommerce' ), 'button-primary' ),
			self::ACTION_MATCH  => array( __( 'Match now', 'mirakl-connector-for-woocommerce' ), '' ),
		) as $action => [ $label, $class ] ) {
			echo '<form method="post" class="mirakl-inline-form" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
			echo Guard::form_fields( $action ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields().
			foreach ( $view as $name => $value ) {
				printf( '<input type="hidden" name="%s" value="%s">', esc_attr( $name ), esc_attr( $value ) );
			}
			printf( '<button type="submit" class="button %s">%s</button> ', esc_attr( $class ), esc_html( $label ) );
			echo '</form>';
		}
		echo '</section>';
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
	 * The figures, one column per currency.
	 *
	 * @param array|null $report   MonthEndReport.
	 * @param string     $period   YYYY-MM.
	 * @param string     $currency Currency or ''.
	 */
	private function figures_section( ?array $report, string $period, string $currency ): void {
		echo '<section class="mirakl-card mirakl-finance-figures" id="mirakl-finance-figures"><h2>';
		/* translators: %s: month (YYYY-MM) */
		echo esc_html( sprintf( __( 'Month-end report %s', 'mirakl-connector-for-woocommerce' ), $period ) ) . '</h2>';
		$currencies = is_array( $report['currencies'] ?? null ) ? $report['currencies'] : array();
		if ( empty( $currencies ) ) {
			echo '<p class="mirakl-empty">' . esc_html(
				'' === $currency
					? __( 'No Mirakl transaction is dated in this month. Import the ledger, or pick another month.', 'mirakl-connector-for-woocommerce' )
					/* translators: %s: currency */
					: sprintf( __( 'No Mirakl transaction in %s is dated in this month.', 'mirakl-connector-for-woocommerce' ), $currency )
			) . '</p></section>';
			return;
		}
		echo '<table class="widefat striped mirakl-finance-table"><thead><tr><th scope="col">' . esc_html__( 'Figure', 'mirakl-connector-for-woocommerce' ) . '</th>';
		foreach ( $currencies as $figures ) {
			printf( '<th scope="col" class="mirakl-amount" data-currency="%1$s">%1$s</th>', esc_attr( (string) $figures['currency'] ) );
		}
		echo '</tr></thead><tbody>';
		foreach ( self::figure_labels() as $key => [ $label, $class ] ) {
			printf( '<tr class="mirakl-figure-%1$s %2$s"><th scope="row">%3$s</th>', esc_attr( $key ), esc_attr( $class ), esc_html( $label ) );
			foreach ( $currencies as $figures ) {
				printf( '<td class="mirakl-amount" data-figure="%1$s">%2$s</td>', esc_attr( $key ), esc_html( self::money( (string) ( $figures[ $key ] ?? '0' ), (string) $figures['currency'] ) ) );
			}
			echo '</tr>';
		}
		echo '<tr class="mirakl-figure-counts"><th scope="row">' . esc_html__( 'Transactions / orders / payouts', 'mirakl-connector-for-woocommerce' ) . '</th>';
		foreach ( $currencies as $figures ) {
			printf( '<td class="mirakl-amount">%d / %d / %d</td>', (int) ( $figures['transactions'] ?? 0 ), (int) ( $figures['orders'] ?? 0 ), (int) ( $figures['payouts'] ?? 0 ) );
		}
		echo '</tr></tbody></table>';
		echo '<p class="description">' . esc_html__( 'Amounts are from the seller\'s side of the Mirakl balance: credits positive, debits (refunds, commissions, fees) negative. Net revenue is everything Mirakl credited minus everything it debited this month, payouts aside; the balance still owed is the opening balance plus net revenue minus payouts received. Months are UTC calendar months; currencies are never mixed.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		echo '</section>';
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
	 * The month's payouts with what they settle.
	 *
	 * @param array|null $report   MonthEndReport (for the month's bounds).
	 * @param string     $currency Currency or ''.
	 */
	private function payouts_section( ?array $report, string $currency ): void {
		echo '<section class="mirakl-card mirakl-finance-payouts" id="mirakl-finance-payouts"><h2>' . esc_html__( 'Payouts', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		$payouts = array();
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
				/* translators: %s: reason */
				echo '<p class="notice notice-error">' . esc_html( sprintf( __( 'The payouts could not be read: %s', 'mirakl-connector-for-woocommerce' ), $e->getMessage() ) ) . '</p>';
			}
		}
		if ( empty( $payouts ) ) {
			echo '<p class="mirakl-empty">' . esc_html__( 'No payout this month.', 'mirakl-connector-for-woocommerce' ) . '</p></section>';
			return;
		}
		echo '<table class="widefat striped mirakl-finance-table"><thead><tr>';
		foreach ( array(
			__( 'Date', 'mirakl-connector-for-woocommerce' ),
			__( 'Reference', 'mirakl-connector-for-woocommerce' ),
			__( 'Orders', 'mirakl-connector-for-woocommerce' ),
			__( 'Expected net', 'mirakl-connector-for-woocommerce' ),
			__( 'Amount paid', 'mirakl-connector-for-woocommerce' ),
			__( 'Difference', 'mirakl-connector-for-woocommerce' ),
			__( 'What it settles', 'mirakl-connector-for-woocommerce' ),
		) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $payouts as $payout ) {
			$cur       = (string) ( $payout['currency'] ?? '' );
			$reference = (string) ( $payout['payout_reference'] ?? $payout['accounting_document_number'] ?? $payout['transaction_id'] ?? '' );
			$ok        = ! empty( $payout['reconciled'] );
			printf( '<tr class="mirakl-payout %s" data-payout="%s">', $ok ? 'mirakl-reconciled' : 'mirakl-unreconciled', esc_attr( (string) ( $payout['transaction_id'] ?? '' ) ) );
			printf( '<td>%s</td>', esc_html( self::when( (string) ( $payout['date'] ?? '' ) ) ) );
			printf( '<td>%s</td>', esc_html( $reference ) );
			printf( '<td class="mirakl-amount">%d</td>', (int) ( $payout['orders'] ?? 0 ) );
			printf( '<td class="mirakl-amount">%s</td>', esc_html( self::money( (string) ( $payout['expected_net'] ?? '0' ), $cur ) ) );
			printf( '<td class="mirakl-amount">%s</td>', esc_html( self::money( (string) ( $payout['amount_paid'] ?? '0' ), $cur ) ) );
			printf( '<td class="mirakl-amount mirakl-difference">%s %s</td>', esc_html( self::money( (string) ( $payout['difference'] ?? '0' ), $cur ) ), $ok ? '<span class="mirakl-ok">' . esc_html__( 'reconciled', 'mirakl-connector-for-woocommerce' ) . '</span>' : '' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
			echo '<td><ul class="mirakl-payout-lines">';
			foreach ( (array) ( $payout['lines'] ?? array() ) as $line ) {
				printf( '<li>%s: %s <span class="mirakl-muted">(%d)</span></li>', esc_html( self::payout_line_label( (string) $line['line'] ) ), esc_html( self::money( (string) $line['amount'], $cur ) ), (int) $line['transactions'] );
			}
			echo '</ul>';
			foreach ( (array) ( $payout['explanation'] ?? array() ) as $sentence ) {
				echo '<p class="mirakl-explanation">' . esc_html( (string) $sentence ) . '</p>';
			}
			echo '</td></tr>';
		}
		echo '</tbody></table></section>';
	}

	/**
	 * A payout line in words.
	 *
	 * @param string $line Line code.
	 */
	public static function payout_line_label( string $line ): string {
		$labels = array(
			'orders'          => __( 'Orders', 'mirakl-connector-for-woocommerce' ),
			'refunds'         => __( 'Refunds', 'mirakl-connector-for-woocommerce' ),
			'commissions'     => __( 'Commissions', 'mirakl-connector-for-woocommerce' ),
			'commission_vat'  => __( 'VAT on commissions', 'mirakl-connector-for-woocommerce' ),
			'fees'            => __( 'Fees', 'mirakl-connector-for-woocommerce' ),
			'subscriptions'   => __( 'Subscriptions', 'mirakl-connector-for-woocommerce' ),
			'manual_credits'  => __( 'Manual credits', 'mirakl-connector-for-woocommerce' ),
			'manual_invoices' => __( 'Manual invoices', 'mirakl-connector-for-woocommerce' ),
			'operator'        => __( 'Operator', 'mirakl-connector-for-woocommerce' ),
			'purchases'       => __( 'Purchases', 'mirakl-connector-for-woocommerce' ),
			'reserve'         => __( 'Reserve', 'mirakl-connector-for-woocommerce' ),
			'other'           => __( 'Other', 'mirakl-connector-for-woocommerce' ),
		);
		return $labels[ $line ] ?? $line;
	}

	/**
	 * The orders behind the figures.
	 *
	 * @param array|null $report MonthEndReport.
	 */
	private function orders_section( ?array $report ): void {
		$orders = is_array( $report['orders'] ?? null ) ? $report['orders'] : array();
		echo '<section class="mirakl-card mirakl-finance-orders" id="mirakl-finance-orders"><h2>' . esc_html__( 'Orders this month', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		if ( empty( $orders ) ) {
			echo '<p class="mirakl-empty">' . esc_html__( 'No order has transactions this month.', 'mirakl-connector-for-woocommerce' ) . '</p></section>';
			return;
		}
		$columns = array(
			'sales'          => __( 'Sales', 'mirakl-connector-for-woocommerce' ),
			'shipping'       => __( 'Shipping', 'mirakl-connector-for-woocommerce' ),
			'taxes'          => __( 'Taxes', 'mirakl-connector-for-woocommerce' ),
			'refunds'        => __( 'Refunds', 'mirakl-connector-for-woocommerce' ),
			'refund_taxes'   => __( 'Refund taxes', 'mirakl-connector-for-woocommerce' ),
			'commissions'    => __( 'Commissions', 'mirakl-connector-for-woocommerce' ),
			'commission_vat' => __( 'Commission VAT', 'mirakl-connector-for-woocommerce' ),
			'fees'           => __( 'Fees', 'mirakl-connector-for-woocommerce' ),
			'net'            => __( 'Net', 'mirakl-connector-for-woocommerce' ),
		);
		echo '<table class="widefat striped mirakl-finance-table"><thead><tr>';
		foreach ( array_merge( array( __( 'Mirakl order', 'mirakl-connector-for-woocommerce' ), __( 'WooCommerce order', 'mirakl-connector-for-woocommerce' ), __( 'Match', 'mirakl-connector-for-woocommerce' ) ), array_values( $columns ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( array_slice( $orders, 0, self::ORDER_ROWS ) as $row ) {
			$cur      = (string) ( $row['currency'] ?? '' );
			$wc_id    = (int) ( $row['wc_order_id'] ?? 0 );
			$status   = (string) ( $row['status'] ?? '' );
			$edit_url = $wc_id > 0 ? self::order_edit_url( $wc_id ) : '';
			printf( '<tr class="mirakl-finance-order mirakl-status-%s">', esc_attr( $status ) );
			printf( '<td>%s</td>', esc_html( (string) $row['mirakl_order_id'] ) );
			if ( '' !== $edit_url ) {
				printf( '<td><a href="%s">#%d</a></td>', esc_url( $edit_url ), (int) $wc_id );
			} else {
				echo '<td>—</td>';
			}
			printf( '<td><span class="mirakl-match mirakl-match-%s">%s</span></td>', esc_attr( $status ), esc_html( self::status_label( $status ) ) );
			foreach ( array_keys( $columns ) as $key ) {
				printf( '<td class="mirakl-amount">%s</td>', esc_html( self::money( (string) ( $row[ $key ] ?? '0' ), $cur ) ) );
			}
			echo '</tr>';
		}
		echo '</tbody></table>';
		if ( count( $orders ) > self::ORDER_ROWS ) {
			/* translators: 1: rows shown, 2: all rows */
			echo '<p class="description">' . esc_html( sprintf( __( 'The first %1$d of %2$d orders; the orders CSV has them all.', 'mirakl-connector-for-woocommerce' ), self::ORDER_ROWS, count( $orders ) ) ) . '</p>';
		}
		echo '</section>';
	}

	/**
	 * A matching status in words.
	 *
	 * @param string $status Status code.
	 */
	public static function status_label( string $status ): string {
		$labels = array(
			'matched'       => __( 'Matched', 'mirakl-connector-for-woocommerce' ),
			'mismatch'      => __( 'Differs', 'mirakl-connector-for-woocommerce' ),
			'awaiting'      => __( 'Not booked by Mirakl yet', 'mirakl-connector-for-woocommerce' ),
			'cancelled'     => __( 'Cancelled', 'mirakl-connector-for-woocommerce' ),
			'unknown_order' => __( 'Unknown to the shop', 'mirakl-connector-for-woocommerce' ),
			'no_expected'   => __( 'Not compared yet', 'mirakl-connector-for-woocommerce' ),
			'not_matched'   => __( 'Not compared yet', 'mirakl-connector-for-woocommerce' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * The finance settings form.
	 *
	 * @param string $period   YYYY-MM.
	 * @param string $currency Currency or ''.
	 */
	private function settings_section( string $period, string $currency ): void {
		$settings = $this->settings->all();
		echo '<section class="mirakl-card mirakl-finance-settings" id="mirakl-finance-settings"><h2>' . esc_html__( 'Finance settings', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo Guard::form_fields( self::ACTION_SAVE ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields().
		printf( '<input type="hidden" name="month" value="%s">', esc_attr( $period ) );
		if ( '' !== $currency ) {
			printf( '<input type="hidden" name="currency" value="%s">', esc_attr( $currency ) );
		}
		echo '<table class="form-table" role="presentation"><tbody>';

		echo '<tr><th scope="row">' . esc_html__( 'Commission on orders', 'mirakl-connector-for-woocommerce' ) . '</th><td><fieldset>';
		foreach ( array(
			'meta_only' => __( 'Kept as order details only; order totals stay as the marketplace sent them', 'mirakl-connector-for-woocommerce' ),
			'fee_line'  => __( 'Also as a negative fee line on each new marketplace order (its total is then net of commission)', 'mirakl-connector-for-woocommerce' ),
		) as $value => $label ) {
			printf(
				'<label><input type="radio" name="finance[commission_posting]" value="%1$s"%2$s> %3$s</label><br>',
				esc_attr( $value ),
				checked( (string) $settings['commission_posting'], $value, false ),
				esc_html( $label )
			);
		}
		echo '</fieldset></td></tr>';
		$fields = array(
			'commission_fee_line_name' => array( __( 'Fee line name', 'mirakl-connector-for-woocommerce' ), 'text', '' ),
			'commission_account'       => array( __( 'Ledger account for commissions', 'mirakl-connector-for-woocommerce' ), 'text', __( 'Written in the ledger CSV\'s account column for commission rows (empty: none).', 'mirakl-connector-for-woocommerce' ) ),
			'rounding_tolerance'       => array( __( 'Rounding tolerance', 'mirakl-connector-for-woocommerce' ), 'text', __( 'Largest difference per compared figure still counted as equal, e.g. 0.01.', 'mirakl-connector-for-woocommerce' ) ),
			'import_interval_hours'    => array( __( 'Hours between imports', 'mirakl-connector-for-woocommerce' ), 'number', __( '24 (the default) imports nightly; "Import now" runs one at any time.', 'mirakl-connector-for-woocommerce' ) ),
		);
		foreach ( $fields as $key => [ $label, $type, $help ] ) {
			printf(
				'<tr><th scope="row"><label for="mirakl-finance-%1$s">%2$s</label></th><td><input type="%3$s" class="regular-text" id="mirakl-finance-%1$s" name="finance[%1$s]" value="%4$s">%5$s</td></tr>',
				esc_attr( $key ),
				esc_html( $label ),
				esc_attr( $type ),
				esc_attr( (string) $settings[ $key ] ),
				'' === $help ? '' : '<p class="description">' . esc_html( $help ) . '</p>'
			);
		}
		printf(
			'<tr><th scope="row">%1$s</th><td><label><input type="checkbox" name="finance[import_documents]" value="1"%2$s> %3$s</label></td></tr>',
			esc_html__( 'Accounting documents', 'mirakl-connector-for-woocommerce' ),
			checked( ! empty( $settings['import_documents'] ), true, false ),
			esc_html__( 'Also import accounting documents and billing cycles (once a day), for payout references', 'mirakl-connector-for-woocommerce' )
		);
		echo '</tbody></table>';
		printf( '<p class="submit"><button type="submit" class="button button-primary">%s</button></p>', esc_html__( 'Save finance settings', 'mirakl-connector-for-woocommerce' ) );
		echo '</form></section>';
	}

	// ----------------------------------------------------------------------------- format --

	/**
	 * An amount with its currency, from the core's decimal string.
	 *
	 * @param string $amount   Decimal string.
	 * @param string $currency ISO code.
	 */
	public static function money( string $amount, string $currency ): string {
		$amount   = trim( $amount );
		$decimals = str_contains( $amount, '.' ) ? max( 2, strlen( substr( $amount, strpos( $amount, '.' ) + 1 ) ) ) : 2;
		return number_format_i18n( (float) $amount, min( 4, $decimals ) ) . ' ' . $currency;
	}

	/**
	 * An RFC 3339 time in the site's time zone, or a dash.
	 *
	 * @param string $time The time.
	 */
	public static function when( string $time ): string {
		$stamp = '' === $time ? false : strtotime( $time );
		if ( false === $stamp || $stamp <= 0 ) {
			return '—';
		}
		return wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $stamp );
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
