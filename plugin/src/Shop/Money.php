<?php
/**
 * Exact money arithmetic on decimal strings, as the engine sends them ("12.50"), without
 * floats and without bcmath (not always installed): amounts are held as integers of millionths.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * Decimal strings to and from integer millionths.
 */
final class Money {

	private const SCALE = 1000000;

	/**
	 * Millionths of a decimal string, int or float ("12.5" => 12500000). Digits past the sixth
	 * decimal are rounded half away from zero.
	 *
	 * @param string|int|float|null $amount The amount.
	 * @throws \InvalidArgumentException When it is not a number.
	 */
	public static function micros( $amount ): int {
		if ( null === $amount || '' === $amount ) {
			return 0;
		}
		if ( is_int( $amount ) ) {
			return $amount * self::SCALE;
		}
		if ( is_float( $amount ) ) {
			$amount = sprintf( '%.7F', $amount );
		}
		$amount = trim( (string) $amount );
		if ( ! preg_match( '/^([+-]?)(\d*)(?:\.(\d*))?$/', $amount, $m ) || ( '' === $m[2] && '' === ( $m[3] ?? '' ) ) ) {
			throw new \InvalidArgumentException( sprintf( 'not a decimal amount: "%s"', $amount ) );
		}
		$fraction = str_pad( $m[3] ?? '', 7, '0' );
		$micros   = (int) ( '' === $m[2] ? '0' : $m[2] ) * self::SCALE + (int) substr( $fraction, 0, 6 );
		if ( (int) $fraction[6] >= 5 ) {
			++$micros;
		}
		return '-' === $m[1] ? -$micros : $micros;
	}

	/**
	 * A decimal string of `$decimals` places from millionths, rounded half away from zero.
	 *
	 * @param int $micros   Millionths.
	 * @param int $decimals Decimal places (0-6).
	 */
	public static function format( int $micros, int $decimals = 2 ): string {
		$decimals = max( 0, min( 6, $decimals ) );
		$unit     = 10 ** ( 6 - $decimals );
		$negative = $micros < 0;
		$abs      = abs( $micros );
		$rounded  = intdiv( $abs + intdiv( $unit, 2 ), $unit );
		$whole    = intdiv( $rounded, 10 ** $decimals );
		$text     = (string) $whole;
		if ( $decimals > 0 ) {
			$text .= '.' . str_pad( (string) ( $rounded % ( 10 ** $decimals ) ), $decimals, '0', STR_PAD_LEFT );
		}
		return ( $negative && 0 !== $rounded ? '-' : '' ) . $text;
	}

	/**
	 * `$amount` × `$numerator` / `$denominator`, rounded to the micro (for pro-rating taxes).
	 *
	 * @param int $amount      Millionths.
	 * @param int $numerator   Millionths.
	 * @param int $denominator Millionths; 0 gives 0.
	 */
	public static function share( int $amount, int $numerator, int $denominator ): int {
		if ( 0 === $denominator ) {
			return 0;
		}
		return (int) round( $amount * ( $numerator / $denominator ) );
	}

	/**
	 * Decimal places WooCommerce prices use.
	 */
	public static function decimals(): int {
		return function_exists( 'wc_get_price_decimals' ) ? (int) wc_get_price_decimals() : 2;
	}
}
