<?php
/**
 * Plain-language names for the problem kinds the core raises, for the dashboard and the
 * alert settings. A kind the core adds later still shows, under its own code.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

use MiraklConnector\Native\ProblemKind;

defined( 'ABSPATH' ) || exit;

/**
 * Problem kind → translated label. The kinds are the core's (`ProblemKind`'s constants).
 */
final class ProblemKinds {

	/** Kinds mailed by default: the ones that cost money or the shop's standing if left alone. */
	public const DEFAULT_MAILED = array(
		ProblemKind::ACCEPTANCE_DEADLINE_PASSED,
		ProblemKind::ORDER_HELD,
		ProblemKind::ORDER_REJECTED_BY_SHOP,
		ProblemKind::ORDER_IMPLAUSIBLE,
		ProblemKind::COUNTRY,
		ProblemKind::SHIPPING_DEADLINE_PASSED,
		ProblemKind::CARRIER_UNMAPPED,
		ProblemKind::REFUND_REJECTED,
		ProblemKind::STOCK_PUSH_FAILED,
		ProblemKind::JOB_DEAD,
		ProblemKind::JOB_PANICKED,
	);

	/**
	 * Every known kind with its label.
	 *
	 * @return array<string, string>
	 */
	public static function labels(): array {
		$labels = array(
			ProblemKind::JOB_DEAD                    => __( 'Work given up after retries', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::JOB_PANICKED                => __( 'Work stopped by an internal error', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ACCEPTANCE_DEADLINE_PASSED  => __( 'Acceptance deadline passed', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ACCEPTANCE_DEADLINE_NEAR    => __( 'Acceptance deadline near', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ORDER_HELD                  => __( 'Order held (unknown SKU or short stock)', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ORDER_LINES_REFUSED         => __( 'Order lines refused', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ORDER_REJECTED_BY_SHOP      => __( 'Order could not be created in WooCommerce', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ORDER_IMPLAUSIBLE           => __( 'Order held: figures or lines fail a sanity check', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::COUNTRY                     => __( 'Order held: country not recognised', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ORDER_UNREADABLE            => __( 'Order could not be read from Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::MIRAKL_RESPONSE_REFUSED     => __( 'Mirakl answer refused (too large, too slow or wait too long)', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::ORDER_NOT_SHIPPABLE         => __( 'Order cannot be shipped on Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::PARTIAL_ACCEPTANCE_DISABLED => __( 'Operator refuses partial acceptance', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::SHIPPING_DEADLINE_NEAR      => __( 'Shipping deadline near', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::SHIPPING_DEADLINE_PASSED    => __( 'Shipping deadline passed', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::TRACKING_MISSING            => __( 'Tracking missing', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::CARRIER_UNMAPPED            => __( 'Carrier not mapped to a Mirakl carrier', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::REFUND_REJECTED             => __( 'Refund rejected by Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::MARKETPLACE_REFUND_CONFLICT => __( 'Mirakl refund refused by WooCommerce', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::STATUS_DRIFT                => __( 'Order status differs between WooCommerce and Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::REFUND_RECORDED_TWICE       => __( 'Refund recorded twice in WooCommerce', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::STOCK_PUSH_FAILED           => __( 'Stock update failed', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::STOCK_SKU_UNKNOWN           => __( 'SKU unknown to Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::STOCK_DRIFT                 => __( 'Stock differs between WooCommerce and Mirakl', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::OFFER_REJECTED              => __( 'Offer rejected', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::OFFER_IMPORT_FAILED         => __( 'Offer import failed', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::OFFER_IMPORT_STUCK          => __( 'Offer import still running after hours', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::STOCK_IMPORT_STUCK          => __( 'Stock import still running after hours', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::DUPLICATE_SKU               => __( 'Duplicate SKU', 'mirakl-connector-for-woocommerce' ),
			ProblemKind::PRODUCT_WITHOUT_SKU         => __( 'Product without SKU', 'mirakl-connector-for-woocommerce' ),
		);
		/**
		 * Filters the problem kinds and their labels (other parts of the connector add theirs).
		 *
		 * @param array<string, string> $labels Kind => translated label.
		 */
		$filtered = apply_filters( 'mirakl_connector_problem_kinds', $labels );
		return is_array( $filtered ) ? $filtered : $labels;
	}

	/**
	 * The label of one kind (its code when unknown).
	 *
	 * @param string $kind Kind code.
	 */
	public static function label( string $kind ): string {
		$labels = self::labels();
		return $labels[ $kind ] ?? $kind;
	}
}
