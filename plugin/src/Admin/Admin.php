<?php
/**
 * The connector's wp-admin: the WooCommerce → Mirakl menu (dashboard and settings), the order and
 * product screens, alerts. Registered only once the requirements are met. Every page and action
 * needs `manage_woocommerce`; every action a nonce (see Guard).
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\Bridge;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the admin services.
 */
class Admin {

	/**
	 * The native bridge.
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * The settings page.
	 *
	 * @var SettingsPage
	 */
	private SettingsPage $settings;

	/**
	 * The dashboard.
	 *
	 * @var DashboardPage
	 */
	private DashboardPage $dashboard;

	/**
	 * Constructor.
	 *
	 * @param Bridge $bridge The native bridge.
	 */
	public function __construct( Bridge $bridge ) {
		$this->bridge    = $bridge;
		$this->settings  = new SettingsPage( $bridge );
		$this->dashboard = new DashboardPage( $bridge );
	}

	/**
	 * Hooks everything.
	 */
	public function register(): void {
		$this->settings->register();
		$this->dashboard->register();
		( new OrderScreens( $this->bridge ) )->register();
		( new ProductScreen( $this->bridge ) )->register();
		( new Alerts( $this->bridge ) )->register();
		add_action( 'admin_menu', array( $this, 'add_menu' ), 60 );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( MIRAKL_CONNECTOR_FILE ), array( $this, 'action_links' ) );
	}

	/**
	 * WooCommerce → Mirakl and Mirakl settings.
	 */
	public function add_menu(): void {
		add_submenu_page( 'woocommerce', __( 'Mirakl', 'mirakl-connector-for-woocommerce' ), __( 'Mirakl', 'mirakl-connector-for-woocommerce' ), Guard::CAPABILITY, DashboardPage::SLUG, array( $this->dashboard, 'render' ) );
		add_submenu_page( 'woocommerce', __( 'Mirakl settings', 'mirakl-connector-for-woocommerce' ), __( 'Mirakl settings', 'mirakl-connector-for-woocommerce' ), Guard::CAPABILITY, SettingsPage::SLUG, array( $this->settings, 'render' ) );
	}

	/**
	 * "Dashboard" and "Settings" links on the Plugins screen.
	 *
	 * @param array $links Links.
	 */
	public function action_links( $links ): array {
		$links = is_array( $links ) ? $links : array();
		array_unshift(
			$links,
			'<a href="' . esc_url( DashboardPage::url() ) . '">' . esc_html__( 'Dashboard', 'mirakl-connector-for-woocommerce' ) . '</a>',
			'<a href="' . esc_url( SettingsPage::url() ) . '">' . esc_html__( 'Settings', 'mirakl-connector-for-woocommerce' ) . '</a>'
		);
		return $links;
	}

	/**
	 * The stylesheet and script, on the connector's screens and the order and product screens.
	 *
	 * @param string $hook_suffix Current screen's hook.
	 */
	public function enqueue( $hook_suffix ): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		$ours   = str_contains( (string) $hook_suffix, DashboardPage::SLUG )
			|| ( null !== $screen && in_array( $screen->id, array( 'shop_order', 'woocommerce_page_wc-orders', 'product', 'edit-shop_order' ), true ) );
		if ( ! $ours ) {
			return;
		}
		$url = plugins_url( 'assets/', MIRAKL_CONNECTOR_FILE );
		wp_enqueue_style( 'mirakl-connector-admin', $url . 'admin.css', array(), MIRAKL_CONNECTOR_VERSION );
		wp_enqueue_script( 'mirakl-connector-admin', $url . 'admin.js', array(), MIRAKL_CONNECTOR_VERSION, true );
	}
}
