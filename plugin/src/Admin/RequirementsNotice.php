<?php
/**
 * The admin notice shown while requirements are unmet, to the people who can fix them.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\UnmetRequirement;

defined( 'ABSPATH' ) || exit;

/**
 * Renders unmet requirements as one error notice.
 */
class RequirementsNotice {

	/**
	 * The unmet requirements.
	 *
	 * @var UnmetRequirement[]
	 */
	private array $unmet;

	/**
	 * Constructor.
	 *
	 * @param UnmetRequirement[] $unmet The unmet requirements.
	 */
	public function __construct( array $unmet ) {
		$this->unmet = $unmet;
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
		if ( empty( $this->unmet ) || ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		View::render( 'html-notice-requirements', array( 'unmet' => $this->unmet ) );
	}
}
