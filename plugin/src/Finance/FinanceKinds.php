<?php
/**
 * Plain-language names for the finance problem kinds the core's matching raises, added to the
 * dashboard's list of kinds (filter `mirakl_connector_problem_kinds`). The hint shown under
 * each problem comes with the problem itself.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

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
			'finance_unknown_order'            => __( 'Finance: Mirakl booked money on an order the shop does not know', 'mirakl-connector-for-woocommerce' ),
			'finance_refund_missing_in_mirakl' => __( 'Finance: WooCommerce refund not booked by Mirakl', 'mirakl-connector-for-woocommerce' ),
			'finance_refund_missing_in_shop'   => __( 'Finance: Mirakl refund missing in WooCommerce', 'mirakl-connector-for-woocommerce' ),
			'finance_commission_mismatch'      => __( 'Finance: commission charged differs from the order', 'mirakl-connector-for-woocommerce' ),
			'finance_amount_mismatch'          => __( 'Finance: amounts differ between Mirakl and WooCommerce', 'mirakl-connector-for-woocommerce' ),
			'finance_unknown_transaction_type' => __( 'Finance: unknown Mirakl transaction type', 'mirakl-connector-for-woocommerce' ),
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
