<?php
/**
 * Alerts that reach people before a customer does: wp-admin notices for critical problems (orders
 * at risk of auto-cancellation, the runner stopped), and an e-mail digest through wp_mail of the
 * new problems of the kinds chosen in the settings, at most once an hour.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\EntityType;
use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Admin notices and the e-mail digest.
 */
class Alerts {

	public const DIGEST_HOOK = 'mirakl_connector_alert_digest';
	/** When the last digest covered problems up to (RFC 3339). */
	public const OPTION_DIGEST_UNTIL = 'mirakl_connector_alert_digest_until';

	/**
	 * Guarded engine reads.
	 *
	 * @var EngineReader
	 */
	private EngineReader $reader;

	/**
	 * Constructor.
	 *
	 * @param Bridge            $bridge The native bridge.
	 * @param EngineReader|null $reader Engine reads (tests pass their own).
	 */
	public function __construct( Bridge $bridge, ?EngineReader $reader = null ) {
		$this->reader = $reader ?? new EngineReader( $bridge );
	}

	/**
	 * Hooks notices and the digest.
	 */
	public function register(): void {
		add_action( 'admin_notices', array( $this, 'render_notices' ) );
		add_action( self::DIGEST_HOOK, array( $this, 'send_digest' ) );
		add_action( 'admin_init', array( $this, 'schedule_digest' ) );
	}

	/**
	 * Keeps the hourly digest scheduled while someone is to be mailed.
	 */
	public function schedule_digest(): void {
		$wanted    = ! empty( Settings::shop()['alert_recipients'] );
		$scheduled = wp_next_scheduled( self::DIGEST_HOOK );
		if ( $wanted && ! $scheduled ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'hourly', self::DIGEST_HOOK );
		} elseif ( ! $wanted && $scheduled ) {
			wp_clear_scheduled_hook( self::DIGEST_HOOK );
		}
	}

	/**
	 * The critical notices for the current user, as HTML (empty when all is well).
	 */
	public function notices_html(): string {
		if ( ! current_user_can( Guard::CAPABILITY ) || ! Settings::is_connected() ) {
			return '';
		}
		$health = $this->reader->health();
		if ( null === $health ) {
			return '';
		}
		$html     = '';
		$critical = $this->reader->problems(
			array(
				'state'    => 'open',
				'severity' => 'critical',
				'limit'    => 100,
			)
		);
		if ( ! empty( $critical ) ) {
			$orders = count( array_filter( $critical, static fn ( $x ) => EntityType::MIRAKL_ORDER === $x['entity_type'] ) );
			$text   = sprintf(
				/* translators: %d: number of problems */
				_n( 'Mirakl: %d critical problem needs you now.', 'Mirakl: %d critical problems need you now.', count( $critical ), 'mirakl-connector-for-woocommerce' ),
				count( $critical )
			);
			if ( $orders > 0 ) {
				$text .= ' ' . sprintf(
					/* translators: %d: number of orders */
					_n( '%d marketplace order may be cancelled by the operator or is late.', '%d marketplace orders may be cancelled by the operator or are late.', $orders, 'mirakl-connector-for-woocommerce' ),
					$orders
				);
			}
			$html .= View::html(
				'html-notice-alert',
				array(
					'alert' => 'critical',
					'title' => $text,
					'text'  => '',
					'url'   => DashboardPage::url( 'mirakl-problems' ),
					'link'  => __( 'Open the Mirakl dashboard', 'mirakl-connector-for-woocommerce' ),
				)
			);
		}
		if ( null !== ( $health['last_tick'] ?? null ) && ! empty( $health['runner_late'] ) ) {
			$html .= View::html(
				'html-notice-alert',
				array(
					'alert' => 'runner',
					'title' => __( 'Mirakl sync has stopped.', 'mirakl-connector-for-woocommerce' ),
					/* translators: %s: "10 mins ago" */
					'text'  => sprintf( __( 'It last ran %s: orders are not accepted and stock is not pushed until it runs again. Check WP-Cron or the system cron.', 'mirakl-connector-for-woocommerce' ), Format::ago( $health['last_tick']['at'] ?? null ) ),
					'url'   => DashboardPage::url(),
					'link'  => __( 'Details', 'mirakl-connector-for-woocommerce' ),
				)
			);
		}
		return $html;
	}

	/**
	 * admin_notices: prints the critical notices (not on the dashboard, which shows it all).
	 */
	public function render_notices(): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( null !== $screen && str_ends_with( (string) $screen->id, '_page_' . DashboardPage::SLUG ) ) {
			return;
		}
		echo $this->notices_html(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in notices_html().
	}

	/**
	 * Mails the problems of the chosen kinds seen since the last digest. Returns how many were
	 * mailed (0: nothing sent).
	 */
	public function send_digest(): int {
		$shop       = Settings::shop();
		$recipients = (array) $shop['alert_recipients'];
		$kinds      = (array) $shop['alert_kinds'];
		if ( empty( $recipients ) || empty( $kinds ) ) {
			return 0;
		}
		$since = (string) get_option( self::OPTION_DIGEST_UNTIL, '' );
		$fresh = array_values(
			array_filter(
				$this->reader->problems(
					array(
						'state' => 'open',
						'limit' => 500,
					)
				),
				static fn ( $x ) => in_array( $x['kind'], $kinds, true ) && strcmp( (string) $x['last_seen'], $since ) > 0
			)
		);
		if ( empty( $fresh ) ) {
			return 0;
		}
		$lines = array();
		foreach ( $fresh as $problem ) {
			$lines[] = sprintf(
				'- [%1$s] %2$s — %3$s %4$s: %5$s',
				Format::severity_label( (string) $problem['severity'] ),
				ProblemKinds::label( (string) $problem['kind'] ),
				(string) $problem['entity_type'],
				(string) $problem['entity_id'],
				(string) $problem['message']
			);
		}
		$subject = sprintf(
			/* translators: 1: site name, 2: number of problems */
			_n( '[%1$s] Mirakl: %2$d problem needs attention', '[%1$s] Mirakl: %2$d problems need attention', count( $fresh ), 'mirakl-connector-for-woocommerce' ),
			wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ),
			count( $fresh )
		);
		$body = __( 'The Mirakl connector found these problems since its last e-mail:', 'mirakl-connector-for-woocommerce' ) . "\n\n"
			. implode( "\n", $lines ) . "\n\n"
			. __( 'Retry or resolve them on the dashboard:', 'mirakl-connector-for-woocommerce' ) . ' ' . DashboardPage::url() . "\n";
		if ( wp_mail( $recipients, $subject, $body ) ) {
			update_option( self::OPTION_DIGEST_UNTIL, max( array_column( $fresh, 'last_seen' ) ), false );
			return count( $fresh );
		}
		return 0;
	}
}
