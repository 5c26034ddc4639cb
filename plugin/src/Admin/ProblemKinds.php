<?php
/**
 * Plain-language names for the problem kinds the core raises, for the dashboard and the
 * alert settings. A kind the core adds later still shows, under its own code.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Exception kind → translated label.
 */
final class ProblemKinds {

	/** Kinds mailed by default: the ones that cost money or the shop's standing if left alone. */
	public const DEFAULT_MAILED = array(
		'acceptance_deadline_passed',
		'order_held',
		'order_rejected_by_shop',
		'shipping_deadline_passed',
		'carrier_unmapped',
		'refund_rejected',
		'stock_push_failed',
		'job_dead',
	);

	/**
	 * Every known kind with its label.
	 *
	 * @return array<string, string>
	 */
	public static function labels(): array {
		$labels = array(
			'job_dead'                    => __( 'Work given up after retries', 'mirakl-connector-for-woocommerce' ),
			'acceptance_deadline_passed'  => __( 'Acceptance deadline passed or near', 'mirakl-connector-for-woocommerce' ),
			'order_held'                  => __( 'Order held (unknown SKU or short stock)', 'mirakl-connector-for-woocommerce' ),
			'order_lines_refused'         => __( 'Order lines refused', 'mirakl-connector-for-woocommerce' ),
			'order_rejected_by_shop'      => __( 'Order could not be created in WooCommerce', 'mirakl-connector-for-woocommerce' ),
			'order_unreadable'            => __( 'Order could not be read from Mirakl', 'mirakl-connector-for-woocommerce' ),
			'order_not_shippable'         => __( 'Order cannot be shipped on Mirakl', 'mirakl-connector-for-woocommerce' ),
			'partial_acceptance_disabled' => __( 'Operator refuses partial acceptance', 'mirakl-connector-for-woocommerce' ),
			'shipping_deadline_near'      => __( 'Shipping deadline near', 'mirakl-connector-for-woocommerce' ),
			'shipping_deadline_passed'    => __( 'Shipping deadline passed', 'mirakl-connector-for-woocommerce' ),
			'tracking_missing'            => __( 'Tracking missing', 'mirakl-connector-for-woocommerce' ),
			'carrier_unmapped'            => __( 'Carrier not mapped to a Mirakl carrier', 'mirakl-connector-for-woocommerce' ),
			'refund_rejected'             => __( 'Refund rejected by Mirakl', 'mirakl-connector-for-woocommerce' ),
			'stock_push_failed'           => __( 'Stock update failed', 'mirakl-connector-for-woocommerce' ),
			'stock_sku_unknown'           => __( 'SKU unknown to Mirakl', 'mirakl-connector-for-woocommerce' ),
			'stock_drift'                 => __( 'Stock differs between WooCommerce and Mirakl', 'mirakl-connector-for-woocommerce' ),
			'offer_rejected'              => __( 'Offer rejected', 'mirakl-connector-for-woocommerce' ),
			'offer_import_failed'         => __( 'Offer import failed', 'mirakl-connector-for-woocommerce' ),
			'duplicate_sku'               => __( 'Duplicate SKU', 'mirakl-connector-for-woocommerce' ),
			'product_without_sku'         => __( 'Product without SKU', 'mirakl-connector-for-woocommerce' ),
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
