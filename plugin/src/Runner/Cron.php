<?php
/**
 * WP-Cron: the event `mirakl_connector_tick` every minute on a custom schedule. WP-Cron only runs
 * when the site gets traffic; shops with little traffic (or DISABLE_WP_CRON) run
 * `wp mirakl tick` from the system cron instead (README), and the dashboard warns when the last
 * tick is late. Deactivation unschedules the event (Lifecycle).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Runner;

defined( 'ABSPATH' ) || exit;

/**
 * Schedules the tick.
 */
class Cron {

	public const HOOK     = 'mirakl_connector_tick';
	public const SCHEDULE = 'mirakl_connector_every_minute';

	/**
	 * The runner.
	 *
	 * @var Runner
	 */
	private Runner $runner;

	/**
	 * Constructor.
	 *
	 * @param Runner $runner The runner.
	 */
	public function __construct( Runner $runner ) {
		$this->runner = $runner;
	}

	/**
	 * Hooks the schedule, the event and its scheduling.
	 */
	public function register(): void {
		add_filter( 'cron_schedules', array( $this, 'schedules' ) ); // phpcs:ignore WordPress.WP.CronInterval.ChangeDetected -- Mirakl's own ceilings are per minute.
		add_action( self::HOOK, array( $this->runner, 'cron_tick' ) );
		add_action( 'init', array( $this, 'ensure_scheduled' ) );
	}

	/**
	 * Adds the every-minute schedule.
	 *
	 * @param array $schedules Schedules.
	 * @return array
	 */
	public function schedules( $schedules ) {
		$schedules                   = is_array( $schedules ) ? $schedules : array();
		$schedules[ self::SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'Every minute (Mirakl connector)', 'mirakl-connector-for-woocommerce' ),
		);
		return $schedules;
	}

	/**
	 * Schedules the tick when it is not (a cheap read of the autoloaded cron option).
	 */
	public function ensure_scheduled(): void {
		if ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time() + 5, self::SCHEDULE, self::HOOK );
		}
	}
}
