<?php
/**
 * A few site operations for the build scripts, so no WP-CLI is needed.
 *
 *   php wp-tool.php SITE install TITLE ADMIN_USER ADMIN_PASSWORD ADMIN_EMAIL
 *   php wp-tool.php SITE activate PLUGIN_FILE [--missing-dependencies-ok]
 *                                    (e.g. woocommerce/woocommerce.php); with the flag, a plugin
 *                                    whose "Requires Plugins" are missing (WordPress 6.5+ refuses
 *                                    it) is activated the way activate_plugin() would, as on a shop
 *                                    that deactivated WooCommerce after the connector
 *   php wp-tool.php SITE is-active PLUGIN_FILE         exit 0 when active
 *   php wp-tool.php SITE set-password USER PASSWORD
 *   php wp-tool.php SITE set-option NAME JSON_VALUE
 *   php wp-tool.php SITE merge-option NAME JSON_OBJECT  sets these keys of an array option
 *   php wp-tool.php SITE get-option NAME               prints the value as JSON
 *   php wp-tool.php SITE wc-order-storage hpos|posts   WooCommerce's authoritative order storage
 *
 * Exits 1 with a message on stderr when the operation fails.
 */
if (PHP_SAPI !== 'cli' || $argc < 3) {
    fwrite(STDERR, "usage: php wp-tool.php SITE COMMAND [ARGS...]\n");
    exit(2);
}
[, $site, $command] = $argv;
$args = array_slice($argv, 3);

function wp_tool_fail(string $message): void
{
    fwrite(STDERR, "wp-tool: $message\n");
    exit(1);
}

function wp_tool_args(array $args, int $count, string $usage): array
{
    if (count($args) !== $count) {
        wp_tool_fail("usage: $usage");
    }
    return $args;
}

if ($command === 'install') {
    define('WP_INSTALLING', true);
}
require $site . '/wp-load.php';

switch ($command) {
    case 'install':
        [$title, $user, $password, $email] = wp_tool_args($args, 4, 'install TITLE USER PASSWORD EMAIL');
        require_once ABSPATH . 'wp-admin/includes/upgrade.php';
        if (is_blog_installed()) {
            echo "already installed\n";
            break;
        }
        $result = wp_install($title, $user, $email, true, '', wp_slash($password));
        if (is_wp_error($result) || empty($result['user_id'])) {
            wp_tool_fail('wp_install failed');
        }
        global $wp_rewrite;
        $wp_rewrite->set_permalink_structure('/%postname%/');
        flush_rewrite_rules();
        echo "installed\n";
        break;

    case 'activate':
        $anyway = ($args[1] ?? '') === '--missing-dependencies-ok';
        [$plugin] = wp_tool_args(array_slice($args, 0, 1), 1, 'activate PLUGIN_FILE [--missing-dependencies-ok]');
        require_once ABSPATH . 'wp-admin/includes/plugin.php';
        $admins = get_users(['role' => 'administrator', 'number' => 1]);
        if ($admins) {
            wp_set_current_user($admins[0]->ID);
        }
        $result = activate_plugin($plugin);
        if ($anyway && is_wp_error($result) && $result->get_error_code() === 'plugin_missing_dependencies') {
            include_once WP_PLUGIN_DIR . '/' . $plugin;
            do_action('activate_plugin', $plugin, false);
            do_action("activate_$plugin", false);
            update_option('active_plugins', array_values(array_unique(array_merge(get_option('active_plugins', []), [$plugin]))));
            do_action('activated_plugin', $plugin, false);
            $result = null;
        }
        if (is_wp_error($result)) {
            wp_tool_fail("activating $plugin: " . $result->get_error_message()
                . (is_string($result->get_error_data()) ? "\n" . $result->get_error_data() : ''));
        }
        if (!is_plugin_active($plugin)) {
            wp_tool_fail("$plugin is not active after activation");
        }
        echo "activated $plugin\n";
        break;

    case 'is-active':
        [$plugin] = wp_tool_args($args, 1, 'is-active PLUGIN_FILE');
        require_once ABSPATH . 'wp-admin/includes/plugin.php';
        exit(is_plugin_active($plugin) ? 0 : 1);

    case 'set-password':
        [$login, $password] = wp_tool_args($args, 2, 'set-password USER PASSWORD');
        $user = get_user_by('login', $login);
        if (!$user) {
            wp_tool_fail("no user $login");
        }
        wp_set_password($password, $user->ID);
        break;

    case 'set-option':
        [$name, $json] = wp_tool_args($args, 2, 'set-option NAME JSON_VALUE');
        $value = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        update_option($name, $value, false); // settings may hold a secret: not autoloaded
        break;

    case 'merge-option':
        [$name, $json] = wp_tool_args($args, 2, 'merge-option NAME JSON_OBJECT');
        $current = get_option($name, []);
        $value = array_merge(is_array($current) ? $current : [], json_decode($json, true, 512, JSON_THROW_ON_ERROR));
        update_option($name, $value, false); // settings may hold a secret: not autoloaded
        break;

    case 'get-option':
        [$name] = wp_tool_args($args, 1, 'get-option NAME');
        echo json_encode(get_option($name), JSON_UNESCAPED_SLASHES), "\n";
        break;

    case 'wc-order-storage':
        [$storage] = wp_tool_args($args, 1, 'wc-order-storage hpos|posts');
        if (!function_exists('wc_get_container')) {
            wp_tool_fail('WooCommerce is not active');
        }
        $hpos = $storage === 'hpos';
        // Enabling the feature creates the custom order tables; the option then makes them authoritative.
        wc_get_container()->get(Automattic\WooCommerce\Internal\Features\FeaturesController::class)
            ->change_feature_enable('custom_order_tables', $hpos);
        update_option('woocommerce_custom_orders_table_enabled', $hpos ? 'yes' : 'no');
        if (Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled() !== $hpos) {
            wp_tool_fail("could not switch the order storage to $storage");
        }
        echo "order storage: $storage\n";
        break;

    default:
        wp_tool_fail("unknown command $command");
}
