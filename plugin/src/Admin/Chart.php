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

		$svg  = sprintf( '<svg class="mirakl-chart-svg" viewBox="0 0 %1$d %2$d" role="img" aria-labelledby="mirakl-chart-title"><title id="mirakl-chart-title">%3$s</title>', $width, $height, esc_html__( 'Marketplace orders per day', 'mirakl-connector-for-woocommerce' ) );
		$svg .= sprintf( '<line x1="%1$d" y1="%2$d" x2="%3$d" y2="%2$d" class="mirakl-axis"/>', $left, $top + $plot_h, $width - 4 );
		$svg .= sprintf( '<text x="%1$d" y="%2$d" class="mirakl-axis-label" text-anchor="end">%3$d</text>', $left - 4, $top + 8, $max );
		$svg .= sprintf( '<text x="%1$d" y="%2$d" class="mirakl-axis-label" text-anchor="end">0</text>', $left - 4, $top + $plot_h );
		$i      = 0;
		$points = array();
		foreach ( $days as $day => $values ) {
			$x     = $left + $i * $slot;
			$bar_h = $plot_h * (int) $values['orders'] / $max;
			$svg  .= sprintf(
				'<rect x="%1$.1f" y="%2$.1f" width="%3$.1f" height="%4$.1f" class="mirakl-bar"><title>%5$s</title></rect>',
				$x + $slot * 0.15,
				$top + $plot_h - $bar_h,
				$slot * 0.7,
				max( $bar_h, 0.5 ),
				/* translators: 1: date, 2: orders */
				esc_html( sprintf( __( '%1$s: %2$d orders', 'mirakl-connector-for-woocommerce' ), $day, (int) $values['orders'] ) )
			);
			if ( null !== $values['latency_ms'] ) {
				$points[] = sprintf( '%.1f,%.1f', $x + $slot / 2, $top + $plot_h - $plot_h * (int) $values['latency_ms'] / $max_lat );
			}
			if ( 0 === $i % 2 ) {
				$svg .= sprintf( '<text x="%1$.1f" y="%2$d" class="mirakl-axis-label" text-anchor="middle">%3$s</text>', $x + $slot / 2, $height - 6, esc_html( substr( (string) $day, 5 ) ) );
			}
			++$i;
		}
		if ( count( $points ) > 1 ) {
			$svg .= '<polyline class="mirakl-line" points="' . esc_attr( implode( ' ', $points ) ) . '"/>';
		}
		$svg .= '</svg>';
		$total = array_sum( array_map( static fn ( $d ) => (int) $d['orders'], $days ) );
		$svg  .= '<p class="mirakl-legend"><span class="mirakl-swatch mirakl-swatch-bar"></span> ' . esc_html(
			/* translators: %d: orders */
			sprintf( _n( '%d marketplace order', '%d marketplace orders', $total, 'mirakl-connector-for-woocommerce' ), $total )
		);
		if ( $latency ) {
			/* translators: %d: milliseconds */
			$svg .= ' &nbsp; <span class="mirakl-swatch mirakl-swatch-line"></span> ' . esc_html( sprintf( __( 'sync latency (p95, up to %d ms)', 'mirakl-connector-for-woocommerce' ), $max_lat ) );
		}
		$svg .= '</p>';
		return $svg;
	}
}
