<?php
/**
 * A calendar month as the finance report counts it (UTC), from `YYYY-MM`.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Finance;

defined( 'ABSPATH' ) || exit;

/**
 * Month parsing.
 */
final class Period {

	/**
	 * A `YYYY-MM` month, or null when it is not one.
	 *
	 * @param string $text The month.
	 * @return array{year: int, month: int, period: string}|null
	 */
	public static function parse( string $text ): ?array {
		if ( ! preg_match( '/^(\d{4})-(\d{2})$/', trim( $text ), $m ) ) {
			return null;
		}
		$year  = (int) $m[1];
		$month = (int) $m[2];
		if ( $year < 2000 || $year > 2999 || $month < 1 || $month > 12 ) {
			return null;
		}
		return array(
			'year'   => $year,
			'month'  => $month,
			'period' => sprintf( '%04d-%02d', $year, $month ),
		);
	}

	/**
	 * The current UTC month.
	 *
	 * @return array{year: int, month: int, period: string}
	 */
	public static function current(): array {
		return (array) self::parse( gmdate( 'Y-m' ) );
	}
}
