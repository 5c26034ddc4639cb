<?php
/**
 * Plugin Name: Mirakl connector dev site
 * Description: For throw-away test and dev sites only: there is no mail server, so mail is written
 * to wp-content/mail.log instead of being sent.
 */
add_filter('pre_wp_mail', static function ($short_circuit, array $atts) {
    $to = is_array($atts['to']) ? implode(', ', $atts['to']) : (string) $atts['to'];
    $line = sprintf("[%s] to: %s; subject: %s\n%s\n\n", gmdate('c'), $to, $atts['subject'], $atts['message']);
    @file_put_contents(WP_CONTENT_DIR . '/mail.log', $line, FILE_APPEND);
    return true;
}, 10, 2);
