<?php
/**
 * Plain-language names for the finance problem kinds the core's matching raises, added to the
 * dashboard's list of kinds (filter `mirakl_connector_problem_kinds`). The hint shown under
 * each problem comes with the problem itself.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

use MiraklConnector\Native\ProblemKind;

defined( 'ABSPATH' ) || exit;

/**
 * Finance problem kind → translated label.
 */
final class FinanceKinds {

	/**
	 * Every finance kind with its label.
	 *
	 * @return array<string, string>
	 */
	public static function labels(): array {
		return array(
			ProblemKind::FINANCE_UNKNOWN_ORDER            => __( 'Finance: Mirakl booked money on an order the shop does not know', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::FINANCE_REFUND_MISSING_IN_MIRAKL => __( 'Finance: WooCommerce refund not booked by Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::FINANCE_REFUND_MISSING_IN_SHOP   => __( 'Finance: Mirakl refund missing in WooCommerce', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::FINANCE_COMMISSION_MISMATCH      => __( 'Finance: commission charged differs from the order', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::FINANCE_AMOUNT_MISMATCH          => __( 'Finance: amounts differ between Mirakl and WooCommerce', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::FINANCE_UNKNOWN_TRANSACTION_TYPE => __( 'Finance: unknown Mirakl transaction type', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::FINANCE_SHOP_TOTAL_MISMATCH      => __( 'Finance: the WooCommerce order total does not add up', 'mirakl-connector-for-woocommerce' ),
		);
	}

	/**
	 * Filter callback: adds the finance kinds to the dashboard's.
	 *
	 * @param array $labels Kind => label.
	 */
	public static function add( $labels ): array {
		return array_merge( is_array( $labels ) ? $labels : array(), self::labels() );
	}
}
