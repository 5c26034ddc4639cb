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

	public const TEST_EXTENSION = 'mirakl_connector_extension';

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
		$problems = array_values(
			array_filter(
				$this->requirements->problems(),
				static fn ( Problem $problem ): bool => str_starts_with( $problem->code, 'extension_' )
			)
		);
		if ( empty( $problems ) ) {
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
		$result['label']           = $problems[0]->title;
		$result['description']     = '<p>' . esc_html( $problems[0]->fix ) . '</p>';
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
					'value'   => StateDirectory::path(),
					'private' => true,
				),
			),
		);
		return $info;
	}
}
