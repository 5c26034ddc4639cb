<?php
/**
 * WooCommerce → Mirakl: the operations dashboard. Health at a glance (runner, queue, connection,
 * call budgets), open problems grouped by kind with retry and resolve, orders at risk, stock
 * drift, recent activity and a chart of the last days. Reads go through EngineReader, so a read
 * the core lacks shows an empty state instead of breaking the page.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;
use MiraklConnector\Native\EntityType;
use MiraklConnector\Native\JobKind;
use MiraklConnector\Native\ProblemKind;

defined( 'ABSPATH' ) || exit;

/**
 * The dashboard screen and its problem actions.
 */
class DashboardPage {

	public const SLUG           = 'mirakl-connector';
	public const ACTION_RETRY   = 'mirakl_connector_retry_problem';
	public const ACTION_RESOLVE = 'mirakl_connector_resolve_problem';
	public const ACTION_CHECK   = 'mirakl_connector_check_connection';

	/** Days the chart covers. */
	public const CHART_DAYS = 14;

	/**
	 * Guarded engine reads.
	 *
	 * @var EngineReader
	 */
	private EngineReader $reader;

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->bridge = $bridge;
		$this->reader = new EngineReader( $bridge );
	}

	/**
	 * Hooks the actions.
	 */
	public function register(): void {
		add_action( 'admin_post_' . self::ACTION_RETRY, array( $this, 'on_retry' ) );
		add_action( 'admin_post_' . self::ACTION_RESOLVE, array( $this, 'on_resolve' ) );
		add_action( 'admin_post_' . self::ACTION_CHECK, array( $this, 'on_check_connection' ) );
	}

	/**
	 * The page's URL.
	 *
	 * @param string $anchor Optional anchor.
	 */
	public static function url( string $anchor = '' ): string {
		return admin_url( 'admin.php?page=' . self::SLUG ) . ( '' !== $anchor ? '#' . $anchor : '' );
	}

	/**
	 * The problem id posted with an action.
	 */
	private static function posted_id(): int {
		// phpcs:ignore WordPress.Security.NonceVerification -- checked by Guard::authorize().
		return isset( $_REQUEST['problem_id'] ) ? absint( wp_unslash( $_REQUEST['problem_id'] ) ) : 0;
	}

	/**
	 * admin-post: retries the job behind a problem.
	 */
	public function on_retry(): void {
		Guard::authorize( self::ACTION_RETRY );
		$this->retry( self::posted_id() );
		Guard::redirect( self::url( 'mirakl-problems' ) );
	}

	/**
	 * admin-post: marks a problem resolved.
	 */
	public function on_resolve(): void {
		Guard::authorize( self::ACTION_RESOLVE );
		$this->resolve( self::posted_id() );
		Guard::redirect( self::url( 'mirakl-problems' ) );
	}

	/**
	 * admin-post: tests the connection from the dashboard.
	 */
	public function on_check_connection(): void {
		Guard::authorize( self::ACTION_CHECK );
		$result = ( new ConnectionCheck( $this->bridge ) )->run();
		Flash::set( $result['ok'] ? 'success' : 'error', $result['ok'] ? __( 'Mirakl answered: the connection works.', 'mirakl-connector-for-woocommerce' ) : $result['message'] );
		Guard::redirect( self::url() );
	}

	/**
	 * Re-queues the job behind a problem; leaves a flash message.
	 *
	 * @param int $id Exception id.
	 */
	public function retry( int $id ): bool {
		try {
			$job = $this->bridge->retry_problem( $id );
			Flash::set(
				'success',
				sprintf(
					/* translators: 1: problem id, 2: job id */
					__( 'Problem #%1$d: its work was queued again (job %2$d) and runs on the next sync.', 'mirakl-connector-for-woocommerce' ),
					$id,
					(int) $job
				)
			);
			return true;
		} catch ( \Throwable $e ) {
			Flash::set(
				'error',
				sprintf(
					/* translators: 1: problem id, 2: reason */
					__( 'Problem #%1$d could not be retried: %2$s', 'mirakl-connector-for-woocommerce' ),
					$id,
					$e->getMessage()
				)
			);
			return false;
		}
	}

	/**
	 * Marks a problem resolved; leaves a flash message.
	 *
	 * @param int $id Exception id.
	 */
	public function resolve( int $id ): bool {
		try {
			$done = (bool) $this->bridge->resolve_problem( $id );
		} catch ( \Throwable $e ) {
			$done = false;
		}
		Flash::set(
			$done ? 'success' : 'warning',
			$done
				/* translators: %d: problem id */
				? sprintf( __( 'Problem #%d marked resolved.', 'mirakl-connector-for-woocommerce' ), $id )
				/* translators: %d: problem id */
				: sprintf( __( 'Problem #%d was already resolved.', 'mirakl-connector-for-woocommerce' ), $id )
		);
		return $done;
	}

	/**
	 * Prints the page.
	 */
	public function render(): void {
		if ( ! current_user_can( Guard::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to see the Mirakl connector.', 'mirakl-connector-for-woocommerce' ), '', array( 'response' => 403 ) );
		}
		$flash  = Flash::take();
		$health = $this->reader->health();
		View::render(
			'html-admin-dashboard',
			array(
				'flash'          => $flash,
				'connected'      => Settings::is_connected(),
				'health_error'   => null === $health ? (string) $this->reader->last_error() : null,
				'cards'          => $this->health_cards( $health ),
				'problems'       => $this->problem_groups(),
				'orders_at_risk' => $this->orders_at_risk(),
				'stock_drift'    => $this->stock_drift(),
				'chart'          => $this->chart_days(),
				'activity'       => $this->activity(),
			)
		);
	}

	/**
	 * One health card.
	 *
	 * @param string $id     Card id.
	 * @param string $title  Title.
	 * @param string $status good, warning or critical.
	 * @param string $value  Headline (plain text).
	 * @param array  $lines  Detail lines (plain text).
	 * @param array  $extra  What follows the lines: hint (text), link (url and text), check (the
	 *                       "Test now" form).
	 */
	private static function card( string $id, string $title, string $status, string $value, array $lines, array $extra = array() ): array {
		return array(
			'id'     => $id,
			'title'  => $title,
			'status' => $status,
			'value'  => $value,
			'lines'  => array_values( $lines ),
			'hint'   => (string) ( $extra['hint'] ?? '' ),
			'link'   => $extra['link'] ?? null,
			'check'  => ! empty( $extra['check'] ) ? self::ACTION_CHECK : '',
		);
	}

	/**
	 * Runner, queue, connection, problems and budget cards.
	 *
	 * @param array|null $health The core's health.
	 */
	private function health_cards( ?array $health ): array {
		$cards = array();
		$tick  = $health['last_tick'] ?? null;
		if ( null === $health ) {
			$cards[] = self::card( 'runner', __( 'Sync runner', 'mirakl-connector-for-woocommerce' ), 'critical', __( 'Unknown', 'mirakl-connector-for-woocommerce' ), array() );
		} elseif ( null === $tick ) {
			$cards[] = self::card( 'runner', __( 'Sync runner', 'mirakl-connector-for-woocommerce' ), 'warning', __( 'Never ran', 'mirakl-connector-for-woocommerce' ), array( __( 'The sync runs every minute from WP-Cron or a system cron once the connection is set up.', 'mirakl-connector-for-woocommerce' ) ) );
		} else {
			$late    = ! empty( $health['runner_late'] );
			$backlog = $health['order_backlog'] ?? null;
			$lines   = array(
				/* translators: %s: "3 mins ago" */
				sprintf( __( 'Last sync %s', 'mirakl-connector-for-woocommerce' ), Format::ago( $tick['at'] ?? null ) ),
				/* translators: 1: jobs, 2: milliseconds */
				sprintf( __( '%1$d jobs in %2$d ms', 'mirakl-connector-for-woocommerce' ), (int) ( $tick['jobs_run'] ?? 0 ), (int) ( $tick['duration_ms'] ?? 0 ) ),
				/* translators: %s: "in 2 mins" */
				sprintf( __( 'Next work due %s', 'mirakl-connector-for-woocommerce' ), Format::ago( $tick['next_due_at'] ?? null ) ),
			);
			if ( is_array( $backlog ) ) {
				/* translators: 1: number of orders, 2: "3 mins ago" */
				$lines[] = sprintf( __( '%1$d changed orders still to read (behind since %2$s)', 'mirakl-connector-for-woocommerce' ), (int) ( $backlog['remaining'] ?? 0 ), Format::ago( $backlog['since'] ?? null ) );
			}
			if ( $late ) {
				$value = __( 'Late', 'mirakl-connector-for-woocommerce' );
			} elseif ( is_array( $backlog ) ) {
				// The core says the sync is behind: never "On time" while order changes wait.
				$value = __( 'Catching up', 'mirakl-connector-for-woocommerce' );
			} elseif ( ! empty( $health['runner_active'] ) ) {
				$value = __( 'Running now', 'mirakl-connector-for-woocommerce' );
			} else {
				$value = __( 'On time', 'mirakl-connector-for-woocommerce' );
			}
			$cards[] = self::card(
				'runner',
				__( 'Sync runner', 'mirakl-connector-for-woocommerce' ),
				$late ? 'critical' : ( is_array( $backlog ) ? 'warning' : 'good' ),
				$value,
				$lines,
				$late ? array( 'hint' => __( 'No sync for over 5 minutes: WP-Cron needs visits, or set up a system cron (see the README).', 'mirakl-connector-for-woocommerce' ) ) : array()
			);
		}

		$queue   = $health['queue'] ?? array();
		$dead    = (int) ( $queue['dead'] ?? 0 );
		$due     = (int) ( $queue['due'] ?? 0 );
		$cards[] = self::card(
			'queue',
			__( 'Queue', 'mirakl-connector-for-woocommerce' ),
			$dead > 0 ? 'warning' : 'good',
			/* translators: %d: jobs due */
			sprintf( _n( '%d job due', '%d jobs due', $due, 'mirakl-connector-for-woocommerce' ), $due ),
			array(
				/* translators: 1: pending, 2: leased */
				sprintf( __( '%1$d waiting, %2$d running', 'mirakl-connector-for-woocommerce' ), (int) ( $queue['pending'] ?? 0 ), (int) ( $queue['leased'] ?? 0 ) ),
				/* translators: %d: jobs given up */
				sprintf( __( '%d given up (see problems)', 'mirakl-connector-for-woocommerce' ), $dead ),
				/* translators: %s: "3 mins ago" */
				sprintf( __( 'Oldest due %s', 'mirakl-connector-for-woocommerce' ), Format::ago( $queue['oldest_due_at'] ?? null ) ),
			)
		);

		$check = ConnectionCheck::last();
		if ( ! Settings::is_connected() ) {
			$cards[] = self::card(
				'connection',
				__( 'Mirakl API', 'mirakl-connector-for-woocommerce' ),
				'warning',
				__( 'Not set up', 'mirakl-connector-for-woocommerce' ),
				array(),
				array(
					'link' => array(
						'url'  => SettingsPage::url( 'mirakl-section-connection' ),
						'text' => __( 'Enter the API URL and key', 'mirakl-connector-for-woocommerce' ),
					),
				)
			);
		} elseif ( null === $check ) {
			$cards[] = self::card( 'connection', __( 'Mirakl API', 'mirakl-connector-for-woocommerce' ), 'warning', __( 'Not tested', 'mirakl-connector-for-woocommerce' ), array(), array( 'check' => true ) );
		} else {
			$cards[] = self::card(
				'connection',
				__( 'Mirakl API', 'mirakl-connector-for-woocommerce' ),
				$check['ok'] ? 'good' : 'critical',
				$check['ok'] ? __( 'Reachable', 'mirakl-connector-for-woocommerce' ) : __( 'Failing', 'mirakl-connector-for-woocommerce' ),
				array_filter(
					array(
						$check['ok'] ? trim( $check['shop_name'] . ' · ' . $check['shop_state'], ' ·' ) : $check['message'],
						/* translators: %s: "3 mins ago" */
						sprintf( __( 'Tested %s', 'mirakl-connector-for-woocommerce' ), Format::ago_time( (int) $check['at'] ) ),
					)
				),
				array( 'check' => true )
			);
		}

		$open     = $health['open_problems'] ?? array();
		$critical = (int) ( $open['critical'] ?? 0 );
		$error    = (int) ( $open['error'] ?? 0 );
		$warning  = (int) ( $open['warning'] ?? 0 );
		$cards[]  = self::card(
			'problems',
			__( 'Open problems', 'mirakl-connector-for-woocommerce' ),
			$critical > 0 ? 'critical' : ( $error + $warning > 0 ? 'warning' : 'good' ),
			(string) ( $critical + $error + $warning ),
			array(
				/* translators: 1: critical, 2: errors, 3: warnings */
				sprintf( __( '%1$d critical · %2$d errors · %3$d warnings', 'mirakl-connector-for-woocommerce' ), $critical, $error, $warning ),
			),
			array(
				'link' => array(
					'url'  => '#mirakl-problems',
					'text' => __( 'See the list', 'mirakl-connector-for-woocommerce' ),
				),
			)
		);

		$budgets = $this->reader->budgets();
		$lines   = array();
		if ( null !== $tick ) {
			/* translators: %d: API calls */
			$lines[] = sprintf( __( '%d Mirakl calls in the last sync', 'mirakl-connector-for-woocommerce' ), (int) ( $tick['api_calls'] ?? 0 ) );
		}
		$tight = false;
		foreach ( (array) $budgets as $budget ) {
			$limit   = max( 1, (int) ( $budget['max_calls'] ?? 1 ) );
			$used    = (int) ( $budget['used'] ?? 0 );
			$tight   = $tight || $used >= $limit;
			$lines[] = sprintf(
				/* translators: 1: API code, 2: calls used, 3: calls allowed, 4: window in seconds */
				__( '%1$s: %2$d of %3$d per %4$ds', 'mirakl-connector-for-woocommerce' ),
				(string) ( $budget['api'] ?? '?' ),
				$used,
				$limit,
				(int) ( $budget['window_secs'] ?? 0 )
			);
		}
		if ( null === $budgets ) {
			$lines[] = __( 'Per-API budgets will show here once the core reports them.', 'mirakl-connector-for-woocommerce' );
		}
		// A spent budget is normal (OR11 is used once a minute); the card only informs.
		$cards[] = self::card( 'budgets', __( 'API budgets', 'mirakl-connector-for-woocommerce' ), 'good', $tight ? __( 'In use', 'mirakl-connector-for-woocommerce' ) : __( 'Within limits', 'mirakl-connector-for-woocommerce' ), array_slice( $lines, 0, 6 ) );
		return $cards;
	}

	/**
	 * What a problem, job or row is about, as a link target and its text: the WooCommerce order
	 * or the product when known (url is '' when there is nothing to link to).
	 *
	 * @param string $entity_type Entity type.
	 * @param string $entity_id   Entity id.
	 * @return array{url: string, text: string}
	 */
	public static function entity( string $entity_type, string $entity_id ): array {
		$url = '';
		// Problems raised when a job gave up name the job's kind and key; the core says what the key is.
		$entity_type = JobKind::key_entity( $entity_type ) ?? $entity_type;
		switch ( $entity_type ) {
			case EntityType::MIRAKL_ORDER:
				$order_id = OrderMeta::find_order_id( $entity_id );
				$url      = $order_id ? OrderMeta::edit_url( $order_id ) : '';
				/* translators: %s: Mirakl order id */
				$text = sprintf( __( 'Mirakl order %s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			case EntityType::SHOP_ORDER:
				$url = OrderMeta::edit_url( (int) $entity_id );
				/* translators: %s: order number */
				$text = sprintf( __( 'Order #%s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			case EntityType::SKU:
				$product_id = function_exists( 'wc_get_product_id_by_sku' ) ? (int) wc_get_product_id_by_sku( $entity_id ) : 0;
				$url        = $product_id ? (string) get_edit_post_link( $product_id, 'raw' ) : '';
				/* translators: %s: SKU */
				$text = sprintf( __( 'SKU %s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			case EntityType::PRODUCT:
				$url = (string) get_edit_post_link( (int) $entity_id, 'raw' );
				/* translators: %s: product id */
				$text = sprintf( __( 'Product #%s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			default:
				$text = $entity_type . ' ' . $entity_id;
		}
		return array(
			'url'  => $url,
			'text' => $text,
		);
	}

	/**
	 * A link to what a problem is about (escaped HTML), or its name when there is nothing to link.
	 *
	 * @param string $entity_type Entity type.
	 * @param string $entity_id   Entity id.
	 */
	public static function entity_link( string $entity_type, string $entity_id ): string {
		return View::html( 'html-entity-link', self::entity( $entity_type, $entity_id ) );
	}

	/**
	 * Open problems grouped by kind, the worst kind first.
	 */
	private function problem_groups(): array {
		$problems = $this->reader->problems(
			array(
				'state' => 'open',
				'limit' => 500,
			)
		);
		$groups  = array();
		$routine = ProblemKind::routine();
		foreach ( $problems as $problem ) {
			// Routine refusals (the merchant's own policy at work) are activity, not problems.
			if ( in_array( (string) $problem['kind'], $routine, true ) ) {
				continue;
			}
			$groups[ (string) $problem['kind'] ][] = $problem;
		}
		$rank = array(
			'critical' => 0,
			'error'    => 1,
			'warning'  => 2,
		);
		uasort(
			$groups,
			static function ( array $a, array $b ) use ( $rank ): int {
				$worst_a = min( array_map( static fn ( $x ) => $rank[ $x['severity'] ] ?? 3, $a ) );
				$worst_b = min( array_map( static fn ( $x ) => $rank[ $x['severity'] ] ?? 3, $b ) );
				return $worst_a <=> $worst_b ?: count( $b ) <=> count( $a );
			}
		);
		$view = array();
		foreach ( $groups as $kind => $items ) {
			$severity = (string) array_reduce( $items, static fn ( $worst, $x ) => ( $rank[ $x['severity'] ] ?? 3 ) < ( $rank[ $worst ] ?? 3 ) ? $x['severity'] : $worst, 'warning' );
			$rows     = array();
			foreach ( $items as $item ) {
				$rows[] = array(
					'id'          => (int) $item['id'],
					'entity'      => self::entity( (string) $item['entity_type'], (string) $item['entity_id'] ),
					'message'     => (string) $item['message'],
					'hint'        => (string) ( $item['hint'] ?? '' ),
					'link'        => self::problem_link( (string) $kind ),
					'occurrences' => (int) $item['occurrences'],
					'first_seen'  => $item['first_seen'],
					'last_seen'   => $item['last_seen'],
					'actions'     => self::problem_actions( (int) $item['id'], ! empty( $item['job_id'] ) ),
				);
			}
			$view[] = array(
				'kind'        => (string) $kind,
				'severity'    => $severity,
				'open'        => count( $groups ) <= 3 || 'critical' === $severity,
				'first_seen'  => min( array_column( $items, 'first_seen' ) ),
				'last_seen'   => max( array_column( $items, 'last_seen' ) ),
				'occurrences' => array_sum( array_map( static fn ( $x ) => (int) $x['occurrences'], $items ) ),
				'items'       => $rows,
			);
		}
		return array( 'groups' => $view );
	}

	/**
	 * Where a problem of this kind is fixed, when that is a setting: a country label is mapped
	 * in the settings' country label mapping.
	 *
	 * @param string $kind Problem kind.
	 * @return array{url: string, text: string}|null
	 */
	private static function problem_link( string $kind ): ?array {
		if ( ProblemKind::COUNTRY !== $kind ) {
			return null;
		}
		return array(
			'url'  => SettingsPage::url( 'mirakl-field-country_label_map' ),
			'text' => __( 'Map the country label', 'mirakl-connector-for-woocommerce' ),
		);
	}

	/**
	 * The buttons of one problem: Retry when a job is behind it, and Resolve.
	 *
	 * @param int  $id    Problem id.
	 * @param bool $retry Whether a job is behind it.
	 */
	private static function problem_actions( int $id, bool $retry ): array {
		$actions = array();
		if ( $retry ) {
			$actions[] = array(
				'action'  => self::ACTION_RETRY,
				'id'      => $id,
				'label'   => __( 'Retry', 'mirakl-connector-for-woocommerce' ),
				'class'   => 'button-primary mirakl-retry',
				'confirm' => '',
			);
		}
		$actions[] = array(
			'action'  => self::ACTION_RESOLVE,
			'id'      => $id,
			'label'   => __( 'Resolve', 'mirakl-connector-for-woocommerce' ),
			'class'   => 'mirakl-resolve',
			'confirm' => __( 'Close this problem without running anything again?', 'mirakl-connector-for-woocommerce' ),
		);
		return $actions;
	}

	/**
	 * One validated sync setting (defaults filled in by the core), or null.
	 *
	 * @param string $key Setting name.
	 * @return mixed
	 */
	private function sync_setting( string $key ) {
		try {
			$sync = $this->bridge->validate_sync_settings( Settings::sync() );
			return $sync[ $key ] ?? null;
		} catch ( \Throwable $e ) {
			return null;
		}
	}

	/**
	 * A section's rows, or null with the reason when its read failed.
	 *
	 * @param array|null $rows The rows, null when the read failed.
	 */
	private function section( ?array $rows ): array {
		return array(
			'rows'        => $rows,
			'unavailable' => null === $rows ? (string) $this->reader->last_error() : '',
		);
	}

	/**
	 * Orders whose acceptance or shipping deadline is near.
	 */
	private function orders_at_risk(): array {
		$horizon = max( 24, (int) ( $this->sync_setting( 'acceptance_window_hours' ) ?? 72 ) );
		$orders  = $this->reader->orders_at_risk( $horizon, 50 );
		if ( null === $orders ) {
			return $this->section( null );
		}
		$rows = array();
		foreach ( $orders as $order ) {
			$mirakl_id = (string) ( $order['mirakl_order_id'] ?? '' );
			$wc_id     = (int) ( $order['wc_order_id'] ?? 0 );
			$rows[]    = array(
				'mirakl_order_id' => $mirakl_id,
				'wc_order_id'     => $wc_id,
				'wc_edit_url'     => $wc_id > 0 ? OrderMeta::edit_url( $wc_id ) : '',
				'entity'          => $wc_id > 0 ? null : self::entity( EntityType::MIRAKL_ORDER, $mirakl_id ),
				'state'           => (string) ( $order['state'] ?? '' ),
				'kind'            => 'shipping' === ( $order['deadline_kind'] ?? '' ) ? __( 'Ship by', 'mirakl-connector-for-woocommerce' ) : __( 'Accept by', 'mirakl-connector-for-woocommerce' ),
				'deadline'        => $order['deadline'] ?? null,
			);
		}
		return $this->section( $rows );
	}

	/**
	 * SKUs where WooCommerce, the last pushed value and the marketplace disagree.
	 */
	private function stock_drift(): array {
		$found = $this->reader->stock_drift( 50 );
		if ( null === $found ) {
			return $this->section( null );
		}
		$rows = array();
		foreach ( $found as $row ) {
			$quantities = array();
			foreach ( array( 'shop_quantity', 'last_pushed_quantity', 'marketplace_quantity' ) as $column ) {
				$quantities[] = isset( $row[ $column ] ) ? (string) $row[ $column ] : '—';
			}
			$rows[] = array(
				'entity'     => self::entity( EntityType::SKU, (string) ( $row['sku'] ?? '' ) ),
				'quantities' => $quantities,
				'why'        => ! empty( $row['last_error'] ) ? (string) $row['last_error'] : ( ! empty( $row['dirty'] ) ? __( 'change waiting for the next push', 'mirakl-connector-for-woocommerce' ) : __( 'quantities differ; the next reconciliation repairs it', 'mirakl-connector-for-woocommerce' ) ),
			);
		}
		return $this->section( $rows );
	}

	/**
	 * What the connector did lately: finished and failed jobs and the last problems, newest first,
	 * runs of the same routine work as one line with a count.
	 */
	private function activity(): array {
		$events = array();
		foreach ( (array) $this->reader->recent_activity( 40 ) as $job ) {
			$dead     = 'dead' === ( $job['state'] ?? '' );
			$events[] = array(
				'at'          => $job['at'] ?? null,
				'status'      => $dead ? 'failed' : 'done',
				'message'     => Format::job_label( (string) ( $job['kind'] ?? '' ) ) . ( $dead && ! empty( $job['last_error'] ) ? ' — ' . (string) $job['last_error'] : '' ),
				'entity_type' => (string) ( $job['kind'] ?? '' ),
				'entity_id'   => (string) ( $job['key'] ?? '' ),
			);
		}
		foreach ( $this->reader->problems(
			array(
				'state' => 'all',
				'limit' => 5,
			)
		) as $problem ) {
			$events[] = array(
				'at'          => $problem['last_seen'],
				'status'      => 'resolved' === $problem['state'] || in_array( (string) $problem['kind'], ProblemKind::routine(), true ) ? 'done' : 'problem',
				'message'     => ProblemKinds::label( (string) $problem['kind'] ) . ( 'resolved' === $problem['state'] ? ' (' . __( 'resolved', 'mirakl-connector-for-woocommerce' ) . ')' : '' ),
				'entity_type' => (string) $problem['entity_type'],
				'entity_id'   => (string) $problem['entity_id'],
			);
		}
		// Routine refusals, one line per kind with their count.
		foreach ( ProblemKind::routine() as $kind ) {
			$routine = $this->reader->problems(
				array(
					'kind'  => $kind,
					'state' => 'open',
					'limit' => 500,
				)
			);
			if ( array() === $routine ) {
				continue;
			}
			$count    = count( $routine );
			$events[] = array(
				'at'          => max( array_column( $routine, 'last_seen' ) ),
				'status'      => 'done',
				'message'     => ProblemKinds::label( $kind ) . ( $count > 1 ? ' ×' . $count : '' ),
				'entity_type' => 'routine',
				'entity_id'   => '',
			);
		}
		usort( $events, static fn ( $a, $b ) => strcmp( (string) $b['at'], (string) $a['at'] ) );
		$linked  = array( EntityType::MIRAKL_ORDER, EntityType::SHOP_ORDER, EntityType::SKU, EntityType::PRODUCT, JobKind::IMPORT_ORDER, JobKind::SYNC_ORDER, JobKind::SHIP_ORDER );
		$grouped = array();
		foreach ( $events as $event ) {
			$previous = end( $grouped );
			if ( false !== $previous && ! in_array( $event['entity_type'], $linked, true ) && $previous['message'] === $event['message'] && $previous['status'] === $event['status'] ) {
				++$grouped[ array_key_last( $grouped ) ]['count'];
				continue;
			}
			$grouped[] = $event + array( 'count' => 1 );
		}
		$view = array();
		foreach ( array_slice( $grouped, 0, 15 ) as $event ) {
			$view[] = array(
				'at'      => (string) $event['at'],
				'status'  => $event['status'],
				'message' => (string) $event['message'] . ( $event['count'] > 1 ? ' ×' . $event['count'] : '' ),
				'entity'  => in_array( $event['entity_type'], $linked, true ) && '' !== $event['entity_id'] ? self::entity( (string) $event['entity_type'], (string) $event['entity_id'] ) : null,
			);
		}
		return $view;
	}

	/**
	 * Marketplace orders per day, last CHART_DAYS days, oldest first.
	 */
	private function chart_days(): array {
		$days = array();
		for ( $i = self::CHART_DAYS - 1; $i >= 0; $i-- ) {
			$days[ gmdate( 'Y-m-d', time() - $i * DAY_IN_SECONDS ) ] = array(
				'orders'     => 0,
				'latency_ms' => null,
			);
		}
		foreach ( OrderMeta::orders_per_day( self::CHART_DAYS ) as $day => $count ) {
			if ( isset( $days[ $day ] ) ) {
				$days[ $day ]['orders'] = $count;
			}
		}
		return $days;
	}
}
