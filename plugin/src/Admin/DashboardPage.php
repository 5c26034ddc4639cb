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

		echo '<div class="wrap mirakl-admin mirakl-dashboard">';
		echo '<h1 class="wp-heading-inline">' . esc_html__( 'Mirakl', 'mirakl-connector-for-woocommerce' ) . '</h1> ';
		printf( '<a class="page-title-action" href="%s">%s</a>', esc_url( SettingsPage::url() ), esc_html__( 'Settings', 'mirakl-connector-for-woocommerce' ) );
		echo '<hr class="wp-header-end">';
		if ( null !== $flash ) {
			Flash::render( $flash );
		}
		if ( ! Settings::is_connected() ) {
			printf(
				'<div class="notice notice-info mirakl-onboarding"><p><strong>%1$s</strong> %2$s <a class="button button-primary" href="%3$s">%4$s</a></p></div>',
				esc_html__( 'Not connected to Mirakl yet.', 'mirakl-connector-for-woocommerce' ),
				esc_html__( 'Enter your shop API URL and key, then test the connection.', 'mirakl-connector-for-woocommerce' ),
				esc_url( SettingsPage::url( 'mirakl-section-connection' ) ),
				esc_html__( 'Connect', 'mirakl-connector-for-woocommerce' )
			);
		}
		if ( null === $health ) {
			printf( '<div class="notice notice-error"><p>%s %s</p></div>', esc_html__( 'The connector\'s state could not be read:', 'mirakl-connector-for-woocommerce' ), esc_html( (string) $this->reader->last_error() ) );
		}

		$this->health_cards( $health );
		echo '<div class="mirakl-columns">';
		echo '<div class="mirakl-main">';
		$this->problems_section();
		$this->orders_at_risk_section();
		$this->stock_drift_section();
		echo '</div><div class="mirakl-side">';
		$this->chart_section();
		$this->activity_section( $health );
		echo '</div></div></div>';
	}

	/**
	 * A duration as words ("3 min ago").
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	public static function ago( ?string $iso ): string {
		$time = null === $iso ? false : strtotime( $iso );
		if ( false === $time ) {
			return '—';
		}
		return $time <= time()
			/* translators: %s: a duration such as "3 mins" */
			? sprintf( __( '%s ago', 'mirakl-connector-for-woocommerce' ), human_time_diff( $time ) )
			/* translators: %s: a duration such as "3 mins" */
			: sprintf( __( 'in %s', 'mirakl-connector-for-woocommerce' ), human_time_diff( $time ) );
	}

	/**
	 * A local date and time for an RFC 3339 time.
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	public static function when( ?string $iso ): string {
		$time = null === $iso ? false : strtotime( $iso );
		return false === $time ? '—' : wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time );
	}

	/**
	 * One health card.
	 *
	 * @param string $id     Card id.
	 * @param string $title  Title.
	 * @param string $status good, warning or critical.
	 * @param string $value  Headline (plain text).
	 * @param array  $lines  Detail lines (plain text).
	 * @param string $extra  Extra HTML (escaped by the caller).
	 */
	private static function card( string $id, string $title, string $status, string $value, array $lines, string $extra = '' ): void {
		printf( '<div class="mirakl-card mirakl-health mirakl-status-%1$s" id="mirakl-health-%2$s"><h2>%3$s</h2><p class="mirakl-health-value">%4$s</p><ul>', esc_attr( $status ), esc_attr( $id ), esc_html( $title ), esc_html( $value ) );
		foreach ( $lines as $line ) {
			echo '<li>' . esc_html( $line ) . '</li>';
		}
		echo '</ul>' . $extra . '</div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped by the caller.
	}

	/**
	 * Runner, queue, connection, problems and budget cards.
	 *
	 * @param array|null $health The core's health.
	 */
	private function health_cards( ?array $health ): void {
		echo '<div class="mirakl-health-grid" aria-label="' . esc_attr__( 'Health', 'mirakl-connector-for-woocommerce' ) . '">';
		$tick = $health['last_tick'] ?? null;
		if ( null === $health ) {
			self::card( 'runner', __( 'Sync runner', 'mirakl-connector-for-woocommerce' ), 'critical', __( 'Unknown', 'mirakl-connector-for-woocommerce' ), array() );
		} elseif ( null === $tick ) {
			self::card( 'runner', __( 'Sync runner', 'mirakl-connector-for-woocommerce' ), 'warning', __( 'Never ran', 'mirakl-connector-for-woocommerce' ), array( __( 'The sync runs every minute from WP-Cron or a system cron once the connection is set up.', 'mirakl-connector-for-woocommerce' ) ) );
		} else {
			$late = ! empty( $health['runner_late'] );
			self::card(
				'runner',
				__( 'Sync runner', 'mirakl-connector-for-woocommerce' ),
				$late ? 'critical' : 'good',
				$late ? __( 'Late', 'mirakl-connector-for-woocommerce' ) : ( ! empty( $health['runner_active'] ) ? __( 'Running now', 'mirakl-connector-for-woocommerce' ) : __( 'On time', 'mirakl-connector-for-woocommerce' ) ),
				array(
					/* translators: %s: "3 mins ago" */
					sprintf( __( 'Last sync %s', 'mirakl-connector-for-woocommerce' ), self::ago( $tick['at'] ?? null ) ),
					/* translators: 1: jobs, 2: milliseconds */
					sprintf( __( '%1$d jobs in %2$d ms', 'mirakl-connector-for-woocommerce' ), (int) ( $tick['jobs_run'] ?? 0 ), (int) ( $tick['duration_ms'] ?? 0 ) ),
					/* translators: %s: "in 2 mins" */
					sprintf( __( 'Next work due %s', 'mirakl-connector-for-woocommerce' ), self::ago( $tick['next_due_at'] ?? null ) ),
				),
				$late ? '<p class="mirakl-card-hint">' . esc_html__( 'No sync for over 5 minutes: WP-Cron needs visits, or set up a system cron (see the README).', 'mirakl-connector-for-woocommerce' ) . '</p>' : ''
			);
		}

		$queue = $health['queue'] ?? array();
		$dead  = (int) ( $queue['dead'] ?? 0 );
		$due   = (int) ( $queue['due'] ?? 0 );
		self::card(
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
				sprintf( __( 'Oldest due %s', 'mirakl-connector-for-woocommerce' ), self::ago( $queue['oldest_due_at'] ?? null ) ),
			)
		);

		$check = ConnectionCheck::last();
		$form  = '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">' . Guard::form_fields( self::ACTION_CHECK )
			. '<button type="submit" class="button button-small" id="mirakl-check-connection">' . esc_html__( 'Test now', 'mirakl-connector-for-woocommerce' ) . '</button></form>';
		if ( ! Settings::is_connected() ) {
			self::card( 'connection', __( 'Mirakl API', 'mirakl-connector-for-woocommerce' ), 'warning', __( 'Not set up', 'mirakl-connector-for-woocommerce' ), array(), '<p><a href="' . esc_url( SettingsPage::url( 'mirakl-section-connection' ) ) . '">' . esc_html__( 'Enter the API URL and key', 'mirakl-connector-for-woocommerce' ) . '</a></p>' );
		} elseif ( null === $check ) {
			self::card( 'connection', __( 'Mirakl API', 'mirakl-connector-for-woocommerce' ), 'warning', __( 'Not tested', 'mirakl-connector-for-woocommerce' ), array(), $form );
		} else {
			self::card(
				'connection',
				__( 'Mirakl API', 'mirakl-connector-for-woocommerce' ),
				$check['ok'] ? 'good' : 'critical',
				$check['ok'] ? __( 'Reachable', 'mirakl-connector-for-woocommerce' ) : __( 'Failing', 'mirakl-connector-for-woocommerce' ),
				array_filter(
					array(
						$check['ok'] ? trim( $check['shop_name'] . ' · ' . $check['shop_state'], ' ·' ) : $check['message'],
						/* translators: %s: "3 mins ago" */
						sprintf( __( 'Tested %s', 'mirakl-connector-for-woocommerce' ), human_time_diff( (int) $check['at'] ) . ' ' . __( 'ago', 'mirakl-connector-for-woocommerce' ) ),
					)
				),
				$form
			);
		}

		$open     = $health['open_problems'] ?? array();
		$critical = (int) ( $open['critical'] ?? 0 );
		$error    = (int) ( $open['error'] ?? 0 );
		$warning  = (int) ( $open['warning'] ?? 0 );
		self::card(
			'problems',
			__( 'Open problems', 'mirakl-connector-for-woocommerce' ),
			$critical > 0 ? 'critical' : ( $error + $warning > 0 ? 'warning' : 'good' ),
			(string) ( $critical + $error + $warning ),
			array(
				/* translators: 1: critical, 2: errors, 3: warnings */
				sprintf( __( '%1$d critical · %2$d errors · %3$d warnings', 'mirakl-connector-for-woocommerce' ), $critical, $error, $warning ),
			),
			'<p><a href="#mirakl-problems">' . esc_html__( 'See the list', 'mirakl-connector-for-woocommerce' ) . '</a></p>'
		);

		$budgets = $this->reader->budgets();
		$lines   = array();
		if ( null !== $tick ) {
			/* translators: %d: API calls */
			$lines[] = sprintf( __( '%d Mirakl calls in the last sync', 'mirakl-connector-for-woocommerce' ), (int) ( $tick['api_calls'] ?? 0 ) );
		}
		$tight = false;
		foreach ( (array) $budgets as $budget ) {
			$limit = max( 1, (int) ( $budget['max_calls'] ?? 1 ) );
			$used  = (int) ( $budget['used'] ?? 0 );
			$tight = $tight || $used >= $limit;
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
		self::card( 'budgets', __( 'API budgets', 'mirakl-connector-for-woocommerce' ), 'good', $tight ? __( 'In use', 'mirakl-connector-for-woocommerce' ) : __( 'Within limits', 'mirakl-connector-for-woocommerce' ), array_slice( $lines, 0, 6 ) );
		echo '</div>';
	}

	/**
	 * A link to what a problem is about: the WooCommerce order or the product, when known.
	 *
	 * @param string $entity_type Entity type.
	 * @param string $entity_id   Entity id.
	 */
	public static function entity_link( string $entity_type, string $entity_id ): string {
		$url = '';
		// Problems raised when a job gave up name the job's kind and key.
		$job_entities = array(
			'import_order' => 'mirakl_order',
			'sync_order'   => 'mirakl_order',
			'ship_order'   => 'order',
		);
		$entity_type  = $job_entities[ $entity_type ] ?? $entity_type;
		switch ( $entity_type ) {
			case 'mirakl_order':
				$order_id = OrderMeta::find_order_id( $entity_id );
				$url      = $order_id ? OrderMeta::edit_url( $order_id ) : '';
				/* translators: %s: Mirakl order id */
				$text = sprintf( __( 'Mirakl order %s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			case 'order':
			case 'shop_order':
				$url = OrderMeta::edit_url( (int) $entity_id );
				/* translators: %s: order number */
				$text = sprintf( __( 'Order #%s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			case 'sku':
				$product_id = function_exists( 'wc_get_product_id_by_sku' ) ? (int) wc_get_product_id_by_sku( $entity_id ) : 0;
				$url        = $product_id ? (string) get_edit_post_link( $product_id, 'raw' ) : '';
				/* translators: %s: SKU */
				$text = sprintf( __( 'SKU %s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			case 'product':
				$url = (string) get_edit_post_link( (int) $entity_id, 'raw' );
				/* translators: %s: product id */
				$text = sprintf( __( 'Product #%s', 'mirakl-connector-for-woocommerce' ), $entity_id );
				break;
			default:
				$text = $entity_type . ' ' . $entity_id;
		}
		if ( '' === $url ) {
			return '<span class="mirakl-entity">' . esc_html( $text ) . '</span>';
		}
		return '<a class="mirakl-entity" href="' . esc_url( $url ) . '">' . esc_html( $text ) . '</a>';
	}

	/**
	 * A small form posting one problem action.
	 *
	 * @param string $action Action.
	 * @param int    $id     Exception id.
	 * @param string $label  Button label.
	 * @param string $class  Button class.
	 */
	private static function action_button( string $action, int $id, string $label, string $class ): string {
		return '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" class="mirakl-inline-form">'
			. Guard::form_fields( $action )
			. '<input type="hidden" name="problem_id" value="' . esc_attr( (string) $id ) . '">'
			. '<button type="submit" class="button button-small ' . esc_attr( $class ) . '" data-problem="' . esc_attr( (string) $id ) . '"'
			. ( self::ACTION_RESOLVE === $action ? ' data-confirm="' . esc_attr__( 'Close this problem without running anything again?', 'mirakl-connector-for-woocommerce' ) . '"' : '' )
			. '>' . esc_html( $label ) . '</button></form>';
	}

	/**
	 * Open problems grouped by kind.
	 */
	private function problems_section(): void {
		$problems = $this->reader->problems(
			array(
				'state' => 'open',
				'limit' => 500,
			)
		);
		echo '<section class="mirakl-card" id="mirakl-problems"><h2>' . esc_html__( 'Problems that need a person', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		if ( empty( $problems ) ) {
			echo '<p class="mirakl-empty">' . esc_html__( 'Nothing needs you right now. Problems (orders held, carriers not mapped, stock updates refused, deadlines at risk) show here as they happen.', 'mirakl-connector-for-woocommerce' ) . '</p></section>';
			return;
		}
		$groups = array();
		foreach ( $problems as $problem ) {
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
		foreach ( $groups as $kind => $items ) {
			$severity = array_reduce( $items, static fn ( $worst, $x ) => ( $rank[ $x['severity'] ] ?? 3 ) < ( $rank[ $worst ] ?? 3 ) ? $x['severity'] : $worst, 'warning' );
			$first    = min( array_column( $items, 'first_seen' ) );
			$last     = max( array_column( $items, 'last_seen' ) );
			$count    = array_sum( array_map( static fn ( $x ) => (int) $x['occurrences'], $items ) );
			printf(
				'<details class="mirakl-kind mirakl-severity-%1$s" data-kind="%2$s"%3$s><summary><span class="mirakl-badge mirakl-badge-%1$s">%4$s</span> <strong>%5$s</strong> <span class="mirakl-count">%6$s</span> <span class="mirakl-seen">%7$s</span></summary>',
				esc_attr( (string) $severity ),
				esc_attr( $kind ),
				count( $groups ) <= 3 || 'critical' === $severity ? ' open' : '',
				esc_html( self::severity_label( (string) $severity ) ),
				esc_html( ProblemKinds::label( $kind ) ),
				/* translators: 1: open problems, 2: occurrences */
				esc_html( sprintf( _n( '%1$d open (%2$d times)', '%1$d open (%2$d times)', count( $items ), 'mirakl-connector-for-woocommerce' ), count( $items ), $count ) ),
				/* translators: 1: first seen, 2: last seen */
				esc_html( sprintf( __( 'first %1$s · last %2$s', 'mirakl-connector-for-woocommerce' ), self::ago( $first ), self::ago( $last ) ) )
			);
			echo '<table class="widefat striped mirakl-problem-table"><thead><tr>';
			foreach ( array( __( 'About', 'mirakl-connector-for-woocommerce' ), __( 'What happened', 'mirakl-connector-for-woocommerce' ), __( 'Seen', 'mirakl-connector-for-woocommerce' ), __( 'Actions', 'mirakl-connector-for-woocommerce' ) ) as $heading ) {
				echo '<th scope="col">' . esc_html( $heading ) . '</th>';
			}
			echo '</tr></thead><tbody>';
			foreach ( $items as $item ) {
				$id = (int) $item['id'];
				printf( '<tr class="mirakl-problem" id="mirakl-problem-%d" data-problem="%d">', $id, $id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- integers.
				echo '<td>' . self::entity_link( (string) $item['entity_type'], (string) $item['entity_id'] ) . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in entity_link().
				echo '<td><p class="mirakl-message">' . esc_html( (string) $item['message'] ) . '</p>';
				if ( ! empty( $item['hint'] ) ) {
					echo '<p class="mirakl-hint">' . esc_html( (string) $item['hint'] ) . '</p>';
				}
				echo '</td><td class="mirakl-nowrap">';
				/* translators: %d: occurrences */
				echo esc_html( sprintf( _n( '%d time', '%d times', (int) $item['occurrences'], 'mirakl-connector-for-woocommerce' ), (int) $item['occurrences'] ) ) . '<br>';
				printf( '<span title="%1$s">%2$s</span>', esc_attr( self::when( $item['first_seen'] ) . ' → ' . self::when( $item['last_seen'] ) ), esc_html( self::ago( $item['last_seen'] ) ) );
				echo '</td><td class="mirakl-actions">';
				if ( ! empty( $item['job_id'] ) ) {
					echo self::action_button( self::ACTION_RETRY, $id, __( 'Retry', 'mirakl-connector-for-woocommerce' ), 'button-primary mirakl-retry' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in action_button().
				}
				echo self::action_button( self::ACTION_RESOLVE, $id, __( 'Resolve', 'mirakl-connector-for-woocommerce' ), 'mirakl-resolve' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in action_button().
				echo '</td></tr>';
			}
			echo '</tbody></table></details>';
		}
		echo '<p class="description">' . esc_html__( 'Retry runs the failed work again on the next sync (after you fixed its cause). Resolve closes the problem without running anything.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		echo '</section>';
	}

	/**
	 * A job kind in words.
	 *
	 * @param string $kind Job kind.
	 */
	public static function job_label( string $kind ): string {
		$labels = array(
			'poll_orders'       => __( 'Checked Mirakl for new orders', 'mirakl-connector-for-woocommerce' ),
			'import_order'      => __( 'Imported an order', 'mirakl-connector-for-woocommerce' ),
			'sync_order'        => __( 'Updated an order', 'mirakl-connector-for-woocommerce' ),
			'ship_order'        => __( 'Sent tracking and shipment', 'mirakl-connector-for-woocommerce' ),
			'refund_order'      => __( 'Sent a refund', 'mirakl-connector-for-woocommerce' ),
			'push_stock'        => __( 'Pushed stock', 'mirakl-connector-for-woocommerce' ),
			'poll_stock_import' => __( 'Checked a stock import', 'mirakl-connector-for-woocommerce' ),
			'reconcile_stock'   => __( 'Reconciled stock', 'mirakl-connector-for-woocommerce' ),
			'offer_dirty'       => __( 'Queued an offer update', 'mirakl-connector-for-woocommerce' ),
			'export_offers'     => __( 'Exported offers', 'mirakl-connector-for-woocommerce' ),
			'poll_offer_import' => __( 'Checked an offer import', 'mirakl-connector-for-woocommerce' ),
			'refresh_reference' => __( 'Read carriers and reasons', 'mirakl-connector-for-woocommerce' ),
			'check_deadlines'   => __( 'Checked deadlines', 'mirakl-connector-for-woocommerce' ),
		);
		return $labels[ $kind ] ?? $kind;
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
	 * Prints the "could not be read" state of a section, with the reason.
	 *
	 * @param string $read The read that failed.
	 */
	private function not_available( string $read ): void {
		printf(
			'<p class="mirakl-empty mirakl-unavailable" data-read="%1$s">%2$s</p>',
			esc_attr( $read ),
			esc_html( __( 'Could not be read from the connector\'s state:', 'mirakl-connector-for-woocommerce' ) . ' ' . (string) $this->reader->last_error() )
		);
	}

	/**
	 * Orders whose acceptance or shipping deadline is near.
	 */
	private function orders_at_risk_section(): void {
		echo '<section class="mirakl-card" id="mirakl-orders-at-risk"><h2>' . esc_html__( 'Orders at risk', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		$horizon = max( 24, (int) ( $this->sync_setting( 'acceptance_window_hours' ) ?? 72 ) );
		$orders  = $this->reader->orders_at_risk( $horizon, 50 );
		if ( null === $orders ) {
			$this->not_available( 'orders_at_risk' );
		} elseif ( empty( $orders ) ) {
			echo '<p class="mirakl-empty">' . esc_html__( 'No marketplace order is waiting for acceptance or close to its shipping deadline.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		} else {
			echo '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Order', 'mirakl-connector-for-woocommerce' ) . '</th><th>' . esc_html__( 'State', 'mirakl-connector-for-woocommerce' ) . '</th><th>' . esc_html__( 'Deadline', 'mirakl-connector-for-woocommerce' ) . '</th><th>' . esc_html__( 'Time left', 'mirakl-connector-for-woocommerce' ) . '</th></tr></thead><tbody>';
			foreach ( $orders as $order ) {
				$mirakl_id = (string) ( $order['mirakl_order_id'] ?? '' );
				$wc_id     = (int) ( $order['wc_order_id'] ?? 0 );
				$link      = $wc_id > 0
					? '<a href="' . esc_url( OrderMeta::edit_url( $wc_id ) ) . '">' . esc_html( '#' . $wc_id ) . '</a> <code>' . esc_html( $mirakl_id ) . '</code>'
					: self::entity_link( 'mirakl_order', $mirakl_id );
				$kind      = 'shipping' === ( $order['deadline_kind'] ?? '' ) ? __( 'Ship by', 'mirakl-connector-for-woocommerce' ) : __( 'Accept by', 'mirakl-connector-for-woocommerce' );
				echo '<tr class="mirakl-at-risk" data-order="' . esc_attr( $mirakl_id ) . '"><td>' . $link . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
				echo '<td><code>' . esc_html( (string) ( $order['state'] ?? '' ) ) . '</code></td>';
				echo '<td>' . esc_html( $kind ) . ' ' . esc_html( self::when( $order['deadline'] ?? null ) ) . '</td>';
				echo '<td>' . self::countdown( $order['deadline'] ?? null ) . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in countdown().
			}
			echo '</tbody></table>';
		}
		echo '</section>';
	}

	/**
	 * A deadline as a countdown, red when under 12 hours or past.
	 *
	 * @param string|null $iso RFC 3339 time.
	 */
	public static function countdown( ?string $iso ): string {
		$time = null === $iso ? false : strtotime( $iso );
		if ( false === $time ) {
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
	 * SKUs where WooCommerce, the last pushed value and the marketplace disagree.
	 */
	private function stock_drift_section(): void {
		echo '<section class="mirakl-card" id="mirakl-stock-drift"><h2>' . esc_html__( 'Stock drift', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		$rows = $this->reader->stock_drift( 50 );
		if ( null === $rows ) {
			$this->not_available( 'stock_drift' );
		} elseif ( empty( $rows ) ) {
			echo '<p class="mirakl-empty">' . esc_html__( 'WooCommerce and the marketplace agree on every SKU checked.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		} else {
			echo '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'SKU', 'mirakl-connector-for-woocommerce' ) . '</th><th class="num">' . esc_html__( 'WooCommerce', 'mirakl-connector-for-woocommerce' ) . '</th><th class="num">' . esc_html__( 'Last pushed', 'mirakl-connector-for-woocommerce' ) . '</th><th class="num">' . esc_html__( 'Marketplace', 'mirakl-connector-for-woocommerce' ) . '</th><th>' . esc_html__( 'Why', 'mirakl-connector-for-woocommerce' ) . '</th></tr></thead><tbody>';
			foreach ( $rows as $row ) {
				echo '<tr><td>' . self::entity_link( 'sku', (string) ( $row['sku'] ?? '' ) ) . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in entity_link().
				foreach ( array( 'shop_quantity', 'last_pushed_quantity', 'marketplace_quantity' ) as $column ) {
					echo '<td class="num">' . esc_html( isset( $row[ $column ] ) ? (string) $row[ $column ] : '—' ) . '</td>';
				}
				$why = ! empty( $row['last_error'] ) ? (string) $row['last_error'] : ( ! empty( $row['dirty'] ) ? __( 'change waiting for the next push', 'mirakl-connector-for-woocommerce' ) : __( 'quantities differ; the next reconciliation repairs it', 'mirakl-connector-for-woocommerce' ) );
				echo '<td>' . esc_html( $why ) . '</td></tr>';
			}
			echo '</tbody></table>';
		}
		echo '</section>';
	}

	/**
	 * What the connector did lately.
	 *
	 * @param array|null $health The core's health.
	 */
	private function activity_section( ?array $health ): void {
		echo '<section class="mirakl-card" id="mirakl-activity"><h2>' . esc_html__( 'Recent activity', 'mirakl-connector-for-woocommerce' ) . '</h2>';
		$events = array();
		foreach ( (array) $this->reader->recent_activity( 40 ) as $job ) {
			$dead     = 'dead' === ( $job['state'] ?? '' );
			$events[] = array(
				'at'          => $job['at'] ?? null,
				'status'      => $dead ? 'failed' : 'done',
				'message'     => self::job_label( (string) ( $job['kind'] ?? '' ) ) . ( $dead && ! empty( $job['last_error'] ) ? ' — ' . (string) $job['last_error'] : '' ),
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
				'status'      => 'resolved' === $problem['state'] ? 'done' : 'problem',
				'message'     => ProblemKinds::label( (string) $problem['kind'] ) . ( 'resolved' === $problem['state'] ? ' (' . __( 'resolved', 'mirakl-connector-for-woocommerce' ) . ')' : '' ),
				'entity_type' => (string) $problem['entity_type'],
				'entity_id'   => (string) $problem['entity_id'],
			);
		}
		usort( $events, static fn ( $a, $b ) => strcmp( (string) $b['at'], (string) $a['at'] ) );
		if ( empty( $events ) ) {
			echo '<p class="mirakl-empty">' . esc_html__( 'Nothing yet.', 'mirakl-connector-for-woocommerce' ) . '</p></section>';
			return;
		}
		echo '<ul class="mirakl-activity">';
		// Runs of the same routine work (offer updates, polls) read as one line with a count.
		$grouped = array();
		foreach ( $events as $event ) {
			$previous = end( $grouped );
			$linked   = in_array( $event['entity_type'], array( 'mirakl_order', 'order', 'sku', 'product', 'import_order', 'sync_order', 'ship_order' ), true );
			if ( false !== $previous && ! $linked && $previous['message'] === $event['message'] && $previous['status'] === $event['status'] ) {
				++$grouped[ array_key_last( $grouped ) ]['count'];
				continue;
			}
			$grouped[] = $event + array( 'count' => 1 );
		}
		$events = $grouped;
		$linked = array( 'mirakl_order', 'order', 'sku', 'product', 'import_order', 'sync_order', 'ship_order' );
		foreach ( array_slice( $events, 0, 15 ) as $event ) {
			printf(
				'<li class="mirakl-event mirakl-event-%1$s"><time datetime="%2$s" title="%3$s">%4$s</time> %5$s',
				esc_attr( $event['status'] ),
				esc_attr( (string) $event['at'] ),
				esc_attr( self::when( $event['at'] ) ),
				esc_html( self::ago( $event['at'] ) ),
				esc_html( (string) $event['message'] . ( $event['count'] > 1 ? ' ×' . $event['count'] : '' ) )
			);
			if ( in_array( $event['entity_type'], $linked, true ) && '' !== $event['entity_id'] ) {
				echo ' · ' . self::entity_link( (string) $event['entity_type'], (string) $event['entity_id'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in entity_link().
			}
			echo '</li>';
		}
		echo '</ul></section>';
	}

	/**
	 * Marketplace orders per day (bars), last CHART_DAYS days.
	 */
	private function chart_section(): void {
		echo '<section class="mirakl-card" id="mirakl-chart"><h2>' . esc_html__( 'Last two weeks', 'mirakl-connector-for-woocommerce' ) . '</h2>';
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
		echo Chart::svg( $days ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts in Chart.
		echo '<p class="description">' . esc_html__( 'Marketplace orders per day, counted from WooCommerce.', 'mirakl-connector-for-woocommerce' ) . '</p>';
		echo '</section>';
	}
}
