<?php
/**
 * The finance CSV downloads through admin-post.php (`action=mirakl_connector_finance_csv`,
 * `kind` summary|orders|ledger, `month` YYYY-MM, optional `currency`): capability and nonce
 * first, then the core's CSV sent as an attachment. The core knows the kinds: an unknown one
 * comes back as a SettingsException, answered as a bad request. Nothing is printed before the headers: any
 * buffered output of other code is dropped first.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Admin\Guard;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Sends the month's CSV exports.
 */
class CsvDownload {

	public const ACTION = 'mirakl_connector_finance_csv';

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * Sends headers and body (replaced in tests).
	 *
	 * @var callable(array<string, string>, string): void
	 */
	private $send;

	/**
	 * Constructor.
	 *
	 * @param Bridge        $bridge The native bridge.
	 * @param callable|null $send   Receives the headers and the body; null to send them.
	 */
	public function __construct( Bridge $bridge, ?callable $send = null ) {
		$this->bridge = $bridge;
		$this->send   = $send ?? array( self::class, 'send' );
	}

	/**
	 * Hooks the admin-post action.
	 */
	public function register(): void {
		add_action( 'admin_post_' . self::ACTION, array( $this, 'on_download' ) );
	}

	/**
	 * The download link of one export.
	 *
	 * @param string      $kind     summary, orders or ledger.
	 * @param string      $month    YYYY-MM.
	 * @param string|null $currency ISO code, or null for all.
	 */
	public static function url( string $kind, string $month, ?string $currency ): string {
		$args = array(
			'action' => self::ACTION,
			'kind'   => $kind,
			'month'  => $month,
		);
		if ( null !== $currency && '' !== $currency ) {
			$args['currency'] = $currency;
		}
		return wp_nonce_url( add_query_arg( $args, admin_url( 'admin-post.php' ) ), self::ACTION );
	}

	/**
	 * admin-post: checks, then sends the CSV.
	 */
	public function on_download(): void {
		Guard::authorize( self::ACTION );
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- checked by Guard::authorize().
		$kind     = isset( $_REQUEST['kind'] ) ? sanitize_key( wp_unslash( $_REQUEST['kind'] ) ) : '';
		$month    = isset( $_REQUEST['month'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['month'] ) ) : '';
		$currency = isset( $_REQUEST['currency'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_REQUEST['currency'] ) ) ) : '';
		// phpcs:enable
		$period = Period::parse( $month );
		if ( null === $period || ( '' !== $currency && ! preg_match( '/^[A-Z]{3}$/', $currency ) ) ) {
			self::bad_request();
		}
		try {
			$csv = (string) $this->bridge->finance_csv( $kind, $period['year'], $period['month'], '' === $currency ? null : $currency );
		} catch ( \MiraklConnector\Native\SettingsException $e ) {
			self::bad_request();
		} catch ( \Throwable $e ) {
			wp_die( esc_html( sprintf( /* translators: %s: reason */ __( 'The export could not be made: %s', 'mirakl-connector-for-woocommerce' ), $e->getMessage() ) ), esc_html__( 'Export failed', 'mirakl-connector-for-woocommerce' ), array( 'response' => 500 ) );
		}
		$filename = sprintf( 'mirakl-finance-%s-%s%s.csv', $kind, $period['period'], '' === $currency ? '' : '-' . $currency );
		( $this->send )(
			array(
				'Content-Type'           => 'text/csv; charset=utf-8',
				'Content-Disposition'    => 'attachment; filename="' . $filename . '"',
				'X-Content-Type-Options' => 'nosniff',
				'Cache-Control'          => 'no-store, max-age=0',
			),
			$csv
		);
	}

	/**
	 * Ends the request with a 400: the export or the month is not one the core knows.
	 */
	private static function bad_request(): void {
		wp_die( esc_html__( 'Unknown export: choose the summary, orders or ledger of a month.', 'mirakl-connector-for-woocommerce' ), esc_html__( 'Bad request', 'mirakl-connector-for-woocommerce' ), array( 'response' => 400 ) );
	}

	/**
	 * Sends the response and ends the request.
	 *
	 * @param array<string, string> $headers Headers.
	 * @param string                $body    CSV text.
	 */
	public static function send( array $headers, string $body ): void {
		while ( ob_get_level() > 0 ) {
			ob_end_clean();
		}
		nocache_headers();
		foreach ( $headers as $name => $value ) {
			header( $name . ': ' . $value );
		}
		header( 'Content-Length: ' . strlen( $body ) );
		echo $body; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- a CSV file, not HTML.
		exit;
	}
}
