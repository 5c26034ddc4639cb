<?php
/**
 * The tax rate marketplace orders' taxes are booked against. The marketplace computes the taxes
 * (Mirakl sends the amounts per line), so WooCommerce must not: the amounts are stored on the
 * order under one dedicated rate, in its own tax class, which no product uses and so never
 * touches the shop's own checkout. Created on first use; its id is kept in an option.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * Finds or creates the marketplace tax rate.
 */
final class MarketplaceTax {

	public const OPTION     = 'mirakl_connector_tax_rate_id';
	public const CLASS_SLUG = 'mirakl-marketplace';

	/**
	 * The marketplace tax rate's id, created when missing.
	 *
	 * @param string $label The rate's name, shown on orders.
	 */
	public static function rate_id( string $label ): int {
		$id = (int) get_option( self::OPTION, 0 );
		if ( $id > 0 && \WC_Tax::_get_tax_rate( $id ) ) {
			return $id;
		}
		if ( ! \WC_Tax::get_tax_class_by( 'slug', self::CLASS_SLUG ) ) {
			\WC_Tax::create_tax_class( 'Mirakl marketplace', self::CLASS_SLUG );
		}
		$id = (int) \WC_Tax::_insert_tax_rate(
			array(
				'tax_rate_country'  => '',
				'tax_rate_state'    => '',
				'tax_rate'          => '0.0000',
				'tax_rate_name'     => $label,
				'tax_rate_priority' => 1,
				'tax_rate_compound' => 0,
				'tax_rate_shipping' => 1,
				'tax_rate_order'    => 0,
				'tax_rate_class'    => self::CLASS_SLUG,
			)
		);
		update_option( self::OPTION, $id, false );
		return $id;
	}

	/**
	 * Removes the rate and the tax class (on uninstall). Orders keep their tax lines: WooCommerce
	 * stores each line's label and amounts on the order itself.
	 */
	public static function remove(): void {
		$id = (int) get_option( self::OPTION, 0 );
		if ( class_exists( \WC_Tax::class ) ) {
			if ( $id > 0 ) {
				\WC_Tax::_delete_tax_rate( $id );
			}
			$class = \WC_Tax::get_tax_class_by( 'slug', self::CLASS_SLUG );
			if ( $class ) {
				\WC_Tax::delete_tax_class_by( 'slug', self::CLASS_SLUG );
			}
		}
		delete_option( self::OPTION );
	}
}
