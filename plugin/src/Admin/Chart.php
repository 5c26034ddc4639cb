<?php
/**
 * A small dependency-free chart as inline SVG: bars for marketplace orders per day and a line for
 * the sync latency, with a text table beside it for screen readers.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Inline SVG chart.
 */
final class Chart {

	/**
	 * The chart's markup.
	 *
	 * @param array<string, array{orders: int, latency_ms: int|null}> $days Per day, oldest first.
	 */
	public static function svg( array $days ): string {
		$width   = 520;
		$height  = 180;
		$left    = 28;
		$bottom  = 22;
		$top     = 12;
		$plot_h  = $height - $bottom - $top;
		$count   = max( 1, count( $days ) );
		$slot    = ( $width - $left - 8 ) / $count;
		$max     = max( 1, max( array_map( static fn ( $d ) => (int) $d['orders'], $days ?: array( array( 'orders' => 0 ) ) ) ) );
		$latency = array_filter( array_map( static fn ( $d ) => $d['latency_ms'], $days ), static fn ( $v ) => null !== $v );
		$max_lat = max( 1, $latency ? max( $latency ) : 1 );

		$bars   = array();
		$ticks  = array();
		$points = array();
		$i      = 0;
		foreach ( $days as $day => $values ) {
			$x      = $left + $i * $slot;
			$bar_h  = $plot_h * (int) $values['orders'] / $max;
			$bars[] = array(
				'x'      => sprintf( '%.1f', $x + $slot * 0.15 ),
				'y'      => sprintf( '%.1f', $top + $plot_h - $bar_h ),
				'width'  => sprintf( '%.1f', $slot * 0.7 ),
				'height' => sprintf( '%.1f', max( $bar_h, 0.5 ) ),
				'day'    => (string) $day,
				'orders' => (int) $values['orders'],
			);
			if ( null !== $values['latency_ms'] ) {
				$points[] = sprintf( '%.1f,%.1f', $x + $slot / 2, $top + $plot_h - $plot_h * (int) $values['latency_ms'] / $max_lat );
			}
			if ( 0 === $i % 2 ) {
				$ticks[] = array(
					'x'    => sprintf( '%.1f', $x + $slot / 2 ),
					'text' => substr( (string) $day, 5 ),
				);
			}
			++$i;
		}
		return View::html(
			'dashboard/html-chart',
			array(
				'width'   => $width,
				'height'  => $height,
				'left'    => $left,
				'top'     => $top,
				'plot_h'  => $plot_h,
				'max'     => $max,
				'bars'    => $bars,
				'ticks'   => $ticks,
				'line'    => count( $points ) > 1 ? implode( ' ', $points ) : '',
				'total'   => array_sum( array_map( static fn ( $d ) => (int) $d['orders'], $days ) ),
				'max_lat' => $latency ? $max_lat : 0,
			)
		);
	}
}
