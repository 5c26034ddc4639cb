<?php
/**
 * The API key field: never printed; a stored key shows as masked with "Replace key".
 *
 * @package MiraklConnector
 *
 * @var array $args stored (whether a key is stored), placeholder, field (attributes).
 */

use MiraklConnector\Admin\View;

defined( 'ABSPATH' ) || exit;
?>
<?php if ( $args['stored'] ) : ?>
<span class="mirakl-secret-stored" id="mirakl-secret-state"><?php esc_html_e( '•••••••••••• A key is stored.', 'mirakl-connector-for-woocommerce' ); ?></span> <button type="button" class="button button-small mirakl-replace-secret" data-target="mirakl-field-<?php echo esc_attr( $args['field']['name'] ); ?>" aria-controls="mirakl-field-<?php echo esc_attr( $args['field']['name'] ); ?>"><?php esc_html_e( 'Replace key', 'mirakl-connector-for-woocommerce' ); ?></button><br>
<?php endif; ?>
<input type="password" class="regular-text mirakl-secret<?php echo $args['stored'] ? ' mirakl-secret-hidden' : ''; ?>" value="" autocomplete="new-password" spellcheck="false" <?php View::render( 'settings/html-field-attributes', $args['field'] ); ?> placeholder="<?php echo esc_attr( $args['placeholder'] ); ?>">
