<?php
/**
 * The dashboard's open problems, grouped by kind, with Retry and Resolve.
 *
 * @package MiraklConnector
 *
 * @var array $args groups (each kind, severity, open, first_seen, last_seen, occurrences and
 *                  items: id, entity, message, hint, link (null or url and text: where to fix
 *                  it), occurrences, first_seen, last_seen, actions
 *                  (the buttons: see html-problem-action)).
 */

use MiraklConnector\Admin\Format;
use MiraklConnector\Admin\ProblemKinds;
use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<section class="mirakl-card" id="mirakl-problems"><h2><?php esc_html_e( 'Problems that need a person', 'mirakl-connector-for-woocommerce' ); ?></h2>
<?php if ( empty( $args['groups'] ) ) : ?>
<p class="mirakl-empty"><?php esc_html_e( 'Nothing needs you right now. Problems (orders held, carriers not mapped, stock updates refused, deadlines at risk) show here as they happen.', 'mirakl-connector-for-woocommerce' ); ?></p></section>
	<?php
	return;
endif;
foreach ( $args['groups'] as $group ) :
	$mirakl_severity = $group['severity'];
	?>
<details class="mirakl-kind mirakl-severity-<?php echo esc_attr( $mirakl_severity ); ?>" data-kind="<?php echo esc_attr( $group['kind'] ); ?>"<?php echo $group['open'] ? ' open' : ''; ?>><summary><span class="mirakl-badge mirakl-badge-<?php echo esc_attr( $mirakl_severity ); ?>"><?php echo esc_html( Format::severity_label( $mirakl_severity ) ); ?></span> <strong><?php echo esc_html( ProblemKinds::label( $group['kind'] ) ); ?></strong> <span class="mirakl-count">
	<?php
	/* translators: 1: open problems, 2: occurrences */
	echo esc_html( sprintf( _n( '%1$d open (%2$d times)', '%1$d open (%2$d times)', count( $group['items'] ), 'mirakl-connector-for-woocommerce' ), count( $group['items'] ), $group['occurrences'] ) );
	?>
</span> <span class="mirakl-seen">
	<?php
	/* translators: 1: first seen, 2: last seen */
	echo esc_html( sprintf( __( 'first %1$s · last %2$s', 'mirakl-connector-for-woocommerce' ), Format::ago( $group['first_seen'] ), Format::ago( $group['last_seen'] ) ) );
	?>
</span></summary>
<table class="widefat striped mirakl-problem-table"><thead><tr><th scope="col"><?php esc_html_e( 'About', 'mirakl-connector-for-woocommerce' ); ?></th><th scope="col"><?php esc_html_e( 'What happened', 'mirakl-connector-for-woocommerce' ); ?></th><th scope="col"><?php esc_html_e( 'Seen', 'mirakl-connector-for-woocommerce' ); ?></th><th scope="col"><?php esc_html_e( 'Actions', 'mirakl-connector-for-woocommerce' ); ?></th></tr></thead><tbody>
	<?php foreach ( $group['items'] as $item ) : ?>
<tr class="mirakl-problem" id="mirakl-problem-<?php echo (int) $item['id']; ?>" data-problem="<?php echo (int) $item['id']; ?>">
<td><?php View::render( 'html-entity-link', $item['entity'] ); ?></td>
<td><p class="mirakl-message"><?php echo esc_html( $item['message'] ); ?></p>
		<?php if ( '' !== $item['hint'] ) : ?>
<p class="mirakl-hint"><?php echo esc_html( $item['hint'] ); ?></p>
		<?php endif; ?>
		<?php if ( ! empty( $item['link'] ) ) : ?>
<p class="mirakl-fix"><a href="<?php echo esc_url( $item['link']['url'] ); ?>"><?php echo esc_html( $item['link']['text'] ); ?></a></p>
		<?php endif; ?>
</td>
<td class="mirakl-nowrap">
		<?php
		/* translators: %d: occurrences */
		echo esc_html( sprintf( _n( '%d time', '%d times', $item['occurrences'], 'mirakl-connector-for-woocommerce' ), $item['occurrences'] ) );
		?>
<br><span title="<?php echo esc_attr( Format::when( $item['first_seen'] ) . ' → ' . Format::when( $item['last_seen'] ) ); ?>"><?php echo esc_html( Format::ago( $item['last_seen'] ) ); ?></span></td>
<td class="mirakl-actions">
		<?php
		foreach ( $item['actions'] as $button ) {
			View::render( 'dashboard/html-problem-action', $button );
		}
		?>
</td></tr>
	<?php endforeach; ?>
</tbody></table></details>
<?php endforeach; ?>
<p class="description"><?php esc_html_e( 'Retry runs the failed work again on the next sync (after you fixed its cause). Resolve closes the problem without running anything.', 'mirakl-connector-for-woocommerce' ); ?></p>
</section>
