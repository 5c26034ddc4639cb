<?php
/**
 * The finance screen's import state, the last match, and "Import now" / "Match now".
 *
 * @package MiraklConnector
 *
 * @var array $args rows (label => value), open_problems (open finance problems), view (the month
 *                  and currency, posted back), actions (each action, label, class).
 */

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\Guard;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card mirakl-finance-import" id="mirakl-finance-import"><h2><?php esc_html_e( 'Ledger import and matching', 'mirakl-connector-for-woocommerce' ); ?></h2>
<p class="description"><?php esc_html_e( 'The Mirakl ledger (transactions, accounting documents, billing cycles) is imported in batches on a schedule, not in real time. Each complete import is followed by a match of every marketplace order with what WooCommerce says it is worth; differences show as problems on the dashboard.', 'mirakl-connector-for-woocommerce' ); ?></p>
<dl class="mirakl-finance-status">
<?php foreach ( $args['rows'] as $label => $value ) : ?>
<dt><?php echo esc_html( $label ); ?></dt><dd><?php echo esc_html( $value ); ?></dd>
<?php endforeach; ?>
</dl>
<?php if ( $args['open_problems'] > 0 ) : ?>
<p class="mirakl-finance-problems"><a href="<?php echo esc_url( DashboardPage::url( 'mirakl-problems' ) ); ?>">
	<?php
	/* translators: %d: open finance problems */
	echo esc_html( sprintf( _n( '%d finance difference needs a look on the dashboard', '%d finance differences need a look on the dashboard', $args['open_problems'], 'mirakl-connector-for-woocommerce' ), $args['open_problems'] ) );
	?>
</a></p>
<?php endif; ?>
<?php foreach ( $args['actions'] as $button ) : ?>
<form method="post" class="mirakl-inline-form" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
	<?php echo Guard::form_fields( $button['action'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in form_fields(). ?>
	<?php foreach ( $args['view'] as $name => $value ) : ?>
<input type="hidden" name="<?php echo esc_attr( $name ); ?>" value="<?php echo esc_attr( $value ); ?>">
	<?php endforeach; ?>
<button type="submit" class="button <?php echo esc_attr( $button['class'] ); ?>"><?php echo esc_html( $button['label'] ); ?></button>
</form>
<?php endforeach; ?>
</section>
