<?php
/**
 * The orders list's channel filter (all, Mirakl marketplace orders, shop orders only).
 *
 * @package MiraklConnector
 *
 * @var array $args name (the query argument), chosen (the value chosen, '' for all).
 */

defined( 'ABSPATH' ) || exit;
?>
<label for="mirakl-channel-filter" class="screen-reader-text"><?php esc_html_e( 'Filter by channel', 'mirakl-connector-for-woocommerce' ); ?></label><select name="<?php echo esc_attr( $args['name'] ); ?>" id="mirakl-channel-filter">
<?php
foreach ( array(
	''            => __( 'All channels', 'mirakl-connector-for-woocommerce' ),
	'marketplace' => __( 'Mirakl marketplace orders', 'mirakl-connector-for-woocommerce' ),
	'shop'        => __( 'Shop orders only', 'mirakl-connector-for-woocommerce' ),
) as $value => $label ) :
	?>
<option value="<?php echo esc_attr( $value ); ?>"<?php selected( $args['chosen'], $value ); ?>><?php echo esc_html( $label ); ?></option>
<?php endforeach; ?>
</select>
