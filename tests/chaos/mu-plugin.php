<?php
/**
 * Plugin Name: Mirakl connector chaos
 * Description: For the chaos tier's throw-away site only (tests/chaos/driver.php copies it into
 * wp-content/mu-plugins). When the driver leaves a file wp-content/chaos-kill-at-commit holding
 * "before" or "after", the next process that creates an order in WooCommerce (a marketplace
 * order: only the connector creates orders there) claims
 * it and SIGKILLs itself at that order's COMMIT: before it (the transaction is lost, the server
 * rolls it back) or right after it (the order exists, nothing after the commit ran). Each kill
 * is written to wp-content/chaos-kills.log first.
 */

add_action('woocommerce_new_order', static function ($order_id, $order = null): void {
    $order = $order instanceof WC_Order ? $order : wc_get_order((int) $order_id);
    // Only the connector creates orders on this site (the driver makes refunds, not orders).
    if (!$order instanceof WC_Order || $order instanceof WC_Order_Refund) {
        return;
    }
    $token = WP_CONTENT_DIR . '/chaos-kill-at-commit';
    $claimed = $token . '.' . getmypid();
    // Renaming is atomic: of two processes creating orders, one claims the token.
    if (!is_file($token) || !@rename($token, $claimed)) {
        return;
    }
    $when = trim((string) file_get_contents($claimed));
    unlink($claimed);
    $mirakl_id = (string) $order->get_meta('_mirakl_order_id');
    add_filter('query', static function ($query) use ($when, $mirakl_id) {
        if ('COMMIT' !== strtoupper(trim((string) $query))) {
            return $query;
        }
        global $wpdb;
        if ('after' === $when) {
            mysqli_query($wpdb->dbh, 'COMMIT');
        }
        file_put_contents(
            WP_CONTENT_DIR . '/chaos-kills.log',
            sprintf("%s %s commit of order %s, pid %d\n", gmdate('c'), $when, $mirakl_id, getmypid()),
            FILE_APPEND
        );
        posix_kill(getmypid(), SIGKILL);
        return $query;
    });
}, 10, 2);
