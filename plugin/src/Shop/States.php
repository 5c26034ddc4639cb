<?php
/**
 * A state or region as the marketplace writes it ("Barcelona", "bayern", "CA") turned into the
 * code WooCommerce stores for countries that have state codes. The country itself is the core's
 * (an ISO alpha-2 code, or nothing when the label was not recognised); a state nothing matches
 * is kept as given.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * State names to WooCommerce state codes.
 */
final class States {

	/**
	 * The WooCommerce state code for a state name or code, among a country's states.
	 *
	 * @param string $state  The state as Mirakl sent it.
	 * @param array  $states The country's states as WooCommerce lists them (code => name), as
	 *                       `WC()->countries->get_states( $country )` gives them.
	 * @return string The code, or the state as given (trimmed) when none matches.
	 */
	public static function to_woocommerce( string $state, array $states ): string {
		$state = trim( $state );
		if ( '' === $state || empty( $states ) ) {
			return $state;
		}
		$wanted = self::key( $state );
		foreach ( $states as $code => $name ) {
			if ( self::key( (string) $code ) === $wanted ) {
				return (string) $code;
			}
		}
		foreach ( $states as $code => $name ) {
			if ( self::key( html_entity_decode( (string) $name, ENT_QUOTES, 'UTF-8' ) ) === $wanted ) {
				return (string) $code;
			}
		}
		return $state;
	}

	/**
	 * A name folded for comparison: no accents, no case, no punctuation.
	 *
	 * @param string $text The name.
	 */
	private static function key( string $text ): string {
		$text = function_exists( 'remove_accents' ) ? remove_accents( $text ) : $text;
		$text = strtolower( (string) preg_replace( '/[^A-Za-z0-9]+/', ' ', $text ) );
		return trim( $text );
	}
}
