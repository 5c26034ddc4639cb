<?php
/**
 * The admin notice shown while requirements are unmet, to the people who can fix them.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Problem;

defined( 'ABSPATH' ) || exit;

/**
 * Renders unmet requirements as one error notice.
 */
class RequirementsNotice {

	/**
	 * The unmet requirements.
	 *
	 * @var Problem[]
	 */
	private array $problems;

	/**
	 * Constructor.
	 *
	 * @param Problem[] $problems The unmet requirements.
	 */
	public function __construct( array $problems ) {
		$this->problems = $problems;
	}

	/**
	 * Hooks the notice into wp-admin (single site and network admin).
	 */
	public function register(): void {
		add_action( 'admin_notices', array( $this, 'render' ) );
		add_action( 'network_admin_notices', array( $this, 'render' ) );
	}

	/**
	 * Prints the notice for users who can manage plugins.
	 */
	public function render(): void {
		if ( empty( $this->problems ) || ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		echo '<div class="notice notice-error mirakl-connector-requirements"><p><strong>';
		echo esc_html__( 'Mirakl Connector for WooCommerce is inactive until the following is fixed:', 'mirakl-connector-for-woocommerce' );
		echo '</strong></p><ul style="list-style:disc;padding-left:2em">';
		foreach ( $this->problems as $problem ) {
			printf(
				'<li data-requirement="%s"><strong>%s</strong> %s</li>',
				esc_attr( $problem->code ),
				esc_html( $problem->title ),
				esc_html( $problem->fix )
			);
		}
		echo '</ul></div>';
	}
}
