<?php
/**
 * How the admin screens write times, amounts and codes: relative times ("3 mins ago"), local
 * dates, deadlines as countdowns, money from the core's decimal strings, and the words for
 * severities, job kinds, finance matching statuses and payout lines. One place for each, used by
 * controllers and templates alike.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\JobKind;

defined( 'ABSPATH' ) || exit;

/**
 * Formatting helpers for wp-admin output.
 */
final class Format {

	/**
	 * A Unix time for an RFC 3339 time, or null when there is none.
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	private static function stamp( ?string $iso ): ?int {
		$time = null === $iso || '' === $iso ? false : strtotime( $iso );
		return false === $time || $time <= 0 ? null : $time;
	}

	/**
	 * A time relative to now in words ("3 mins ago", "in 2 mins"), or a dash.
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	public static function ago( ?string $iso ): string {
		$time = self::stamp( $iso );
		return null === $time ? '—' : self::ago_time( $time );
	}

	/**
	 * A Unix time relative to now in words ("3 mins ago", "in 2 mins").
	 *
	 * @param int $time Unix time.
	 */
	public static function ago_time( int $time ): string {
		return $time <= time()
			/* translators: %s: a duration such as "3 mins" */
			? sprintf( __( '%s ago', 'mirakl-connector-for-woocommerce' ), human_time_diff( $time ) )
			/* translators: %s: a duration such as "3 mins" */
			: sprintf( __( 'in %s', 'mirakl-connector-for-woocommerce' ), human_time_diff( $time ) );
	}

	/**
	 * A local date and time (the site's formats and time zone) for an RFC 3339 time, or a dash.
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	public static function when( ?string $iso ): string {
		$time = self::stamp( $iso );
		return null === $time ? '—' : (string) wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time );
	}

	/**
	 * A deadline as an escaped countdown badge, red when past, amber under 12 hours; a dash
	 * without a deadline.
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	public static function countdown( ?string $iso ): string {
		$time = self::stamp( $iso );
		if ( null === $time ) {
			return '—';
		}
		$left  = $time - time();
		$class = $left < 0 ? 'critical' : ( $left < 12 * HOUR_IN_SECONDS ? 'warning' : 'good' );
		$text  = $left < 0
			/* translators: %s: duration */
			? sprintf( __( 'overdue by %s', 'mirakl-connector-for-woocommerce' ), human_time_diff( $time ) )
			/* translators: %s: duration */
			: sprintf( __( '%s left', 'mirakl-connector-for-woocommerce' ), human_time_diff( $time ) );
		return '<span class="mirakl-countdown mirakl-text-' . esc_attr( $class ) . '" title="' . esc_attr( self::when( $iso ) ) . '" data-deadline="' . esc_attr( (string) $iso ) . '">' . esc_html( $text ) . '</span>';
	}

	/**
	 * An amount with its currency, from the core's decimal string: at least two decimals, as many
	 * as the core sent up to four.
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
	 * A severity in words.
	 *
	 * @param string $severity critical, error or warning.
	 */
	public static function severity_label( string $severity ): string {
		$labels = array(
			'critical' => __( 'Critical', 'mirakl-connector-for-woocommerce' ),
			'error'    => __( 'Error', 'mirakl-connector-for-woocommerce' ),
			'warning'  => __( 'Warning', 'mirakl-connector-for-woocommerce' ),
		);
		return $labels[ $severity ] ?? $severity;
	}

	/**
	 * A job kind in words, as the activity list says what was done.
	 *
	 * @param string $kind Job kind.
	 */
	public static function job_label( string $kind ): string {
		$labels = array(
			JobKind::POLL_ORDERS       => __( 'Checked Mirakl for new orders', 'mirakl-connector-for-woocommerce' ),
			JobKind::IMPORT_ORDER      => __( 'Imported an order', 'mirakl-connector-for-woocommerce' ),
			JobKind::SYNC_ORDER        => __( 'Updated an order', 'mirakl-connector-for-woocommerce' ),
			JobKind::SHIP_ORDER        => __( 'Sent tracking and shipment', 'mirakl-connector-for-woocommerce' ),
			JobKind::REFUND_ORDER      => __( 'Sent a refund', 'mirakl-connector-for-woocommerce' ),
			JobKind::PUSH_STOCK        => __( 'Pushed stock', 'mirakl-connector-for-woocommerce' ),
			JobKind::POLL_STOCK_IMPORT => __( 'Checked a stock import', 'mirakl-connector-for-woocommerce' ),
			JobKind::RECONCILE_STOCK   => __( 'Reconciled stock', 'mirakl-connector-for-woocommerce' ),
			JobKind::OFFER_DIRTY       => __( 'Queued an offer update', 'mirakl-connector-for-woocommerce' ),
			JobKind::EXPORT_OFFERS     => __( 'Exported offers', 'mirakl-connector-for-woocommerce' ),
			JobKind::POLL_OFFER_IMPORT => __( 'Checked an offer import', 'mirakl-connector-for-woocommerce' ),
			JobKind::REFRESH_REFERENCE => __( 'Read carriers and reasons', 'mirakl-connector-for-woocommerce' ),
			JobKind::CHECK_DEADLINES   => __( 'Checked deadlines', 'mirakl-connector-for-woocommerce' ),
			JobKind::SWEEP_ORDERS      => __( 'Looked for shipments, refunds and statuses left behind', 'mirakl-connector-for-woocommerce' ),
		);
		return $labels[ $kind ] ?? $kind;
	}

	/**
	 * A finance matching status in words.
	 *
	 * @param string $status Status code.
	 */
	public static function match_status_label( string $status ): string {
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
}
