<?php
/**
 * The dashboard's chart: marketplace orders per day as bars, and the sync latency as a line when
 * the core reports it. Chart::svg() computes the geometry.
 *
 * @package MiraklConnector
 *
 * @var array $args width, height, left, top, plot_h (the plot's height), max (the top of the
 *                  axis), bars (each x, y, width, height, day, orders), ticks (each x, text), line
 *                  (the latency polyline's points, '' for none), total (orders), max_lat (the
 *                  latency axis's top in ms, 0 without latency).
 */

defined( 'ABSPATH' ) || exit;
?>
<svg class="mirakl-chart-svg" viewBox="0 0 <?php echo (int) $args['width']; ?> <?php echo (int) $args['height']; ?>" role="img" aria-labelledby="mirakl-chart-title"><title id="mirakl-chart-title"><?php esc_html_e( 'Marketplace orders per day', 'mirakl-connector-for-woocommerce' ); ?></title>
<line x1="<?php echo (int) $args['left']; ?>" y1="<?php echo (int) ( $args['top'] + $args['plot_h'] ); ?>" x2="<?php echo (int) ( $args['width'] - 4 ); ?>" y2="<?php echo (int) ( $args['top'] + $args['plot_h'] ); ?>" class="mirakl-axis"/>
<text x="<?php echo (int) ( $args['left'] - 4 ); ?>" y="<?php echo (int) ( $args['top'] + 8 ); ?>" class="mirakl-axis-label" text-anchor="end"><?php echo (int) $args['max']; ?></text>
<text x="<?php echo (int) ( $args['left'] - 4 ); ?>" y="<?php echo (int) ( $args['top'] + $args['plot_h'] ); ?>" class="mirakl-axis-label" text-anchor="end">0</text>
<?php foreach ( $args['bars'] as $bar ) : ?>
<rect x="<?php echo esc_attr( $bar['x'] ); ?>" y="<?php echo esc_attr( $bar['y'] ); ?>" width="<?php echo esc_attr( $bar['width'] ); ?>" height="<?php echo esc_attr( $bar['height'] ); ?>" class="mirakl-bar"><title>
	<?php
	/* translators: 1: date, 2: orders */
	echo esc_html( sprintf( __( '%1$s: %2$d orders', 'mirakl-connector-for-woocommerce' ), $bar['day'], $bar['orders'] ) );
	?>
</title></rect>
<?php endforeach; ?>
<?php foreach ( $args['ticks'] as $tick ) : ?>
<text x="<?php echo esc_attr( $tick['x'] ); ?>" y="<?php echo (int) ( $args['height'] - 6 ); ?>" class="mirakl-axis-label" text-anchor="middle"><?php echo esc_html( $tick['text'] ); ?></text>
<?php endforeach; ?>
<?php if ( '' !== $args['line'] ) : ?>
<polyline class="mirakl-line" points="<?php echo esc_attr( $args['line'] ); ?>"/>
<?php endif; ?>
</svg>
<p class="mirakl-legend"><span class="mirakl-swatch mirakl-swatch-bar"></span>
<?php
/* translators: %d: orders */
echo esc_html( sprintf( _n( '%d marketplace order', '%d marketplace orders', $args['total'], 'mirakl-connector-for-woocommerce' ), $args['total'] ) );
?>
<?php if ( $args['max_lat'] > 0 ) : ?>
 &nbsp; <span class="mirakl-swatch mirakl-swatch-line"></span>
	<?php
	/* translators: %d: milliseconds */
	echo esc_html( sprintf( __( 'sync latency (p95, up to %d ms)', 'mirakl-connector-for-woocommerce' ), $args['max_lat'] ) );
	?>
<?php endif; ?>
</p>
