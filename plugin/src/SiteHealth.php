<?php
/**
 * Site Health: a test reporting whether the native extension is loaded and of the right
 * version, and a debug-information section with the connector's versions and paths.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the connector's Site Health tests and debug information.
 */
class SiteHealth {

	public const TEST_EXTENSION  = 'mirakl_connector_extension';
	public const TEST_RUNNER     = 'mirakl_connector_runner';
	public const TEST_CONNECTION = 'mirakl_connector_connection';

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * The requirements checker.
	 *
	 * @var Requirements
	 */
	private Requirements $requirements;

	/**
	 * Constructor.
	 *
	 * @param Bridge       $bridge       The native bridge.
	 * @param Requirements $requirements The requirements checker.
	 */
	public function __construct( Bridge $bridge, Requirements $requirements ) {
		$this->bridge       = $bridge;
		$this->requirements = $requirements;
	}

	/**
	 * Hooks the test and the debug section.
	 */
	public function register(): void {
		add_filter( 'site_status_tests', array( $this, 'add_tests' ) );
		add_filter( 'debug_information', array( $this, 'add_debug_information' ) );
	}

	/**
	 * Adds the direct tests.
	 *
	 * @param array $tests Site Health tests.
	 * @return array
	 */
	public function add_tests( $tests ): array {
		$tests                                   = is_array( $tests ) ? $tests : array();
		$tests['direct'][ self::TEST_EXTENSION ] = array(
			'label' => __( 'Mirakl connector extension', 'mirakl-connector-for-woocommerce' ),
			'test'  => array( $this, 'extension_test' ),
		);
		if ( Plugin::is_active() ) {
			$tests['direct'][ self::TEST_RUNNER ]     = array(
				'label' => __( 'Mirakl sync runner', 'mirakl-connector-for-woocommerce' ),
				'test'  => array( $this, 'runner_test' ),
			);
			$tests['direct'][ self::TEST_CONNECTION ] = array(
				'label' => __( 'Mirakl connection', 'mirakl-connector-for-woocommerce' ),
				'test'  => array( $this, 'connection_test' ),
			);
		}
		return $tests;
	}

	/**
	 * The extension test's result, in the Site Health result format.
	 *
	 * @return array
	 */
	public function extension_test(): array {
		$result = array(
			'label'       => '',
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Mirakl connector', 'mirakl-connector-for-woocommerce' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => '',
			'test'        => self::TEST_EXTENSION,
		);
		$unmet = array_values(
			array_filter(
				$this->requirements->unmet(),
				static fn ( UnmetRequirement $requirement ): bool => str_starts_with( $requirement->code, 'extension_' )
			)
		);
		if ( empty( $unmet ) ) {
			$result['label']       = sprintf(
				/* translators: %s: extension version */
				__( 'The Mirakl connector extension %s is loaded', 'mirakl-connector-for-woocommerce' ),
				(string) $this->bridge->version()
			);
			$result['description'] = '<p>' . esc_html__( 'The native core that syncs stock, orders, shipping and refunds with Mirakl is loaded and matches the plugin version.', 'mirakl-connector-for-woocommerce' ) . '</p>';
			return $result;
		}
		$result['status']          = 'critical';
		$result['badge']['color']  = 'red';
		$result['label']           = $unmet[0]->title;
		$result['description']     = '<p>' . esc_html( $unmet[0]->fix ) . '</p>';
		return $result;
	}

	/**
	 * A result skeleton for the connector's tests.
	 *
	 * @param string $test Test id.
	 */
	private static function result( string $test ): array {
		return array(
			'label'       => '',
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Mirakl connector', 'mirakl-connector-for-woocommerce' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => sprintf( '<p><a href="%s">%s</a></p>', esc_url( Admin\DashboardPage::url() ), esc_html__( 'Open the Mirakl dashboard', 'mirakl-connector-for-woocommerce' ) ),
			'test'        => $test,
		);
	}

	/**
	 * The runner test: the sync ran within the last few minutes.
	 *
	 * @return array
	 */
	public function runner_test(): array {
		$result = self::result( self::TEST_RUNNER );
		try {
			$health = $this->bridge->health();
		} catch ( \Throwable $e ) {
			$result['status']      = 'critical';
			$result['label']       = __( 'The Mirakl connector cannot read its state', 'mirakl-connector-for-woocommerce' );
			$result['description'] = '<p>' . esc_html( $e->getMessage() ) . '</p>';
			return $result;
		}
		$tick = $health['last_tick'] ?? null;
		if ( null === $tick ) {
			$result['status']      = 'recommended';
			$result['label']       = __( 'The Mirakl sync has never run', 'mirakl-connector-for-woocommerce' );
			$result['description'] = '<p>' . esc_html__( 'It runs every minute from WP-Cron (on site visits) or from a system cron once the connection is set up. Until it runs, orders are not imported or accepted and stock is not pushed.', 'mirakl-connector-for-woocommerce' ) . '</p>';
			return $result;
		}
		if ( ! empty( $health['runner_late'] ) ) {
			$result['status']          = 'critical';
			$result['badge']['color']  = 'red';
			$result['label']           = __( 'The Mirakl sync has stopped running', 'mirakl-connector-for-woocommerce' );
			$result['description']     = '<p>' . esc_html(
				sprintf(
					/* translators: %s: date and time */
					__( 'It last ran at %s. Marketplace orders may be cancelled by the operator if nobody accepts them in time. WP-Cron only runs on visits: on a quiet site, call WP-Cron from a system cron every minute.', 'mirakl-connector-for-woocommerce' ),
					Admin\Format::when( $tick['at'] ?? null )
				)
			) . '</p>';
			return $result;
		}
		$result['label']       = __( 'The Mirakl sync runs on time', 'mirakl-connector-for-woocommerce' );
		$result['description'] = '<p>' . esc_html(
			sprintf(
				/* translators: %s: "2 mins ago" */
				__( 'Last run %s.', 'mirakl-connector-for-woocommerce' ),
				Admin\Format::ago( $tick['at'] ?? null )
			)
		) . '</p>';
		return $result;
	}

	/**
	 * The connection test: Mirakl accepts the URL and key (a fresh result from the last hour is
	 * reused, so Site Health does not call Mirakl on every visit).
	 *
	 * @return array
	 */
	public function connection_test(): array {
		$result = self::result( self::TEST_CONNECTION );
		if ( ! Admin\Settings::is_connected() ) {
			$result['status']      = 'recommended';
			$result['label']       = __( 'The Mirakl connection is not set up', 'mirakl-connector-for-woocommerce' );
			$result['description'] = '<p>' . esc_html__( 'Enter the shop API URL and key in WooCommerce → Mirakl settings.', 'mirakl-connector-for-woocommerce' ) . '</p>';
			return $result;
		}
		$check = Admin\ConnectionCheck::last();
		if ( null === $check || (int) $check['at'] < time() - HOUR_IN_SECONDS ) {
			$check = ( new Admin\ConnectionCheck( $this->bridge ) )->run();
		}
		if ( $check['ok'] ) {
			$result['label']       = __( 'Mirakl accepts the connector\'s API key', 'mirakl-connector-for-woocommerce' );
			$result['description'] = '<p>' . esc_html(
				sprintf(
					/* translators: 1: shop name, 2: shop state */
					__( 'Shop %1$s, state %2$s.', 'mirakl-connector-for-woocommerce' ),
					$check['shop_name'],
					$check['shop_state']
				)
			) . '</p>';
			return $result;
		}
		$result['status']         = 'critical';
		$result['badge']['color'] = 'red';
		$result['label']          = __( 'The connector cannot reach Mirakl', 'mirakl-connector-for-woocommerce' );
		$result['description']    = '<p>' . esc_html( $check['message'] ) . '</p>';
		return $result;
	}

	/**
	 * Adds the connector's section to Site Health → Info.
	 *
	 * @param array $info Debug information sections.
	 * @return array
	 */
	public function add_debug_information( $info ): array {
		$info                     = is_array( $info ) ? $info : array();
		$info['mirakl-connector'] = array(
			'label'  => __( 'Mirakl connector', 'mirakl-connector-for-woocommerce' ),
			'fields' => array(
				'plugin_version'    => array(
					'label' => __( 'Plugin version', 'mirakl-connector-for-woocommerce' ),
					'value' => MIRAKL_CONNECTOR_VERSION,
				),
				'extension_version' => array(
					'label' => __( 'Extension version', 'mirakl-connector-for-woocommerce' ),
					'value' => $this->bridge->version() ?? __( 'not loaded', 'mirakl-connector-for-woocommerce' ),
				),
				'extension_file'    => array(
					'label' => __( 'Extension build for this PHP', 'mirakl-connector-for-woocommerce' ),
					'value' => Requirements::extension_file_name(),
				),
				'state_directory'   => array(
					'label'   => __( 'State directory', 'mirakl-connector-for-woocommerce' ),
					'value'   => StateDirectory::known_path() ?? __( 'not created yet (activate the plugin)', 'mirakl-connector-for-woocommerce' ),
					'private' => true,
				),
			),
		);
		return $info;
	}
}
