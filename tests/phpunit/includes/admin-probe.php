<?php
/**
 * One wp-admin request in its own PHP process, as the site's first administrator:
 *
 *   php [-d extension=...] admin-probe.php SITE PROBE
 *
 * Prints `MIRAKL_PROBE_RESULT <json>` on a line of its own; the JSON object always has
 * `plugin_errors`, the PHP notices, warnings and deprecations raised in the plugin's files, and
 * `early_translations`, the plugin's strings translated before `init`. Probes:
 *   notices      the HTML printed on `admin_notices` on the dashboard
 *   site-health  the Site Health tests whose key names the plugin, each run when it is direct
 *   reactivate   deactivate_plugins() then activate_plugin() of the plugin, as from the Plugins
 *                screen: error message or null, what each printed, whether it is active, and the
 *                refusal WordPress 6.5+ gives without WooCommerce ("Requires Plugins"; the
 *                plugin is then put back in the active list)
 *   uninstall    deactivates the plugin, runs its uninstall (uninstall_plugin()), reports success
 *   state        whether the plugin is active and what the extension reports
 */

// Constants, not variables: WordPress's loader reuses global names such as $plugin.
define('MIRAKL_PROBE_SITE', $argv[1]);
define('MIRAKL_PROBE_NAME', $argv[2]);
define('MIRAKL_PROBE_PLUGIN', 'mirakl-connector-for-woocommerce/mirakl-connector-for-woocommerce.php');

// PHP errors raised in the plugin's own files during the request are part of the result.
$GLOBALS['mirakl_probe_errors'] = [];
set_error_handler(static function (int $type, string $message, string $file, int $line): bool {
    if (strpos($file, '/mirakl-connector-for-woocommerce/') !== false) {
        $GLOBALS['mirakl_probe_errors'][] = "$message in $file:$line";
    }
    return false;
});

// The plugin's strings translated before `init` (WordPress 6.7+ logs "translation loading ...
// triggered too early" for them when the site's language has translations): part of the result.
$GLOBALS['mirakl_probe_early_translations'] = [];
$mirakl_probe_early = static function ($translation, ...$args) {
    if (!did_action('init')) {
        $GLOBALS['mirakl_probe_early_translations'][] = (string) $args[0] . ' (during ' . (current_filter() ?: 'load') . ', hook ' . implode(' > ', array_filter(array_map('strval', $GLOBALS['wp_current_filter'] ?? []))) . ')';
    }
    return $translation;
};
foreach (['gettext', 'gettext_with_context', 'ngettext', 'ngettext_with_context'] as $mirakl_probe_filter) {
    $GLOBALS['wp_filter'][$mirakl_probe_filter . '_mirakl-connector-for-woocommerce'][10][] = ['function' => $mirakl_probe_early, 'accepted_args' => 3];
}

define('WP_ADMIN', true);
$_SERVER['REQUEST_URI'] = '/wp-admin/index.php';
$_SERVER['PHP_SELF'] = $_SERVER['SCRIPT_NAME'] = '/wp-admin/index.php';
require MIRAKL_PROBE_SITE . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
add_filter('pre_wp_mail', '__return_true');

$admins = get_users(['role' => 'administrator', 'number' => 1, 'orderby' => 'ID']);
wp_set_current_user($admins[0]->ID);

// WooCommerce sends a freshly activated shop's first admin page to its setup wizard, then exits.
delete_transient('_wc_activation_redirect');

function mirakl_probe_result($result): void
{
    $result['plugin_errors'] = $GLOBALS['mirakl_probe_errors'];
    $result['early_translations'] = array_values(array_unique($GLOBALS['mirakl_probe_early_translations']));
    echo "\nMIRAKL_PROBE_RESULT ", json_encode($result, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR), "\n";
    exit(0);
}

function mirakl_probe_admin_page(): void
{
    ob_start();
    do_action('admin_init');
    ob_end_clean();
    set_current_screen('dashboard');
}

switch (MIRAKL_PROBE_NAME) {
    case 'notices':
        mirakl_probe_admin_page();
        ob_start();
        do_action('admin_notices');
        mirakl_probe_result(['html' => ob_get_clean()]);

    case 'site-health':
        mirakl_probe_admin_page();
        require_once ABSPATH . 'wp-admin/includes/class-wp-site-health.php';
        $found = [];
        foreach (WP_Site_Health::get_tests() as $kind => $tests) {
            foreach ($tests as $key => $test) {
                if (stripos((string) $key, 'mirakl') === false) {
                    continue;
                }
                $entry = ['kind' => $kind, 'label' => $test['label'] ?? null, 'result' => null];
                if ($kind === 'direct' && isset($test['test']) && is_callable($test['test'])) {
                    $entry['result'] = call_user_func($test['test']);
                } elseif ($kind === 'direct' && isset($test['test']) && is_string($test['test'])
                    && is_callable([WP_Site_Health::get_instance(), 'get_test_' . $test['test']])) {
                    $entry['result'] = call_user_func([WP_Site_Health::get_instance(), 'get_test_' . $test['test']]);
                }
                $found[$key] = $entry;
            }
        }
        mirakl_probe_result(['tests' => $found]);

    case 'reactivate':
        ob_start();
        deactivate_plugins(MIRAKL_PROBE_PLUGIN);
        $deactivationOutput = ob_get_clean();
        ob_start();
        $error = activate_plugin(MIRAKL_PROBE_PLUGIN);
        $output = ob_get_clean();
        $refused = null;
        if (is_wp_error($error) && $error->get_error_code() === 'plugin_missing_dependencies') {
            // WordPress 6.5+ without WooCommerce ("Requires Plugins"): the site is put back as it was.
            $refused = wp_strip_all_tags($error->get_error_message());
            update_option('active_plugins', array_values(array_unique(array_merge(get_option('active_plugins', []), [MIRAKL_PROBE_PLUGIN]))));
            $error = null;
        }
        mirakl_probe_result([
            'refused_for_dependencies' => $refused,
            'error' => is_wp_error($error) ? $error->get_error_message() : null,
            'deactivation_output' => $deactivationOutput,
            'output' => $output,
            'active' => is_plugin_active(MIRAKL_PROBE_PLUGIN),
        ]);

    case 'uninstall':
        ob_start();
        deactivate_plugins(MIRAKL_PROBE_PLUGIN);
        $registered = is_uninstallable_plugin(MIRAKL_PROBE_PLUGIN);
        $result = uninstall_plugin(MIRAKL_PROBE_PLUGIN);
        $output = ob_get_clean();
        mirakl_probe_result([
            'uninstallable' => $registered,
            'result' => $result,
            'output' => $output,
            'active' => is_plugin_active(MIRAKL_PROBE_PLUGIN),
        ]);

    case 'state':
        mirakl_probe_admin_page();
        mirakl_probe_result([
            'active' => is_plugin_active(MIRAKL_PROBE_PLUGIN),
            'extension_loaded' => extension_loaded('mirakl_connector'),
            'woocommerce' => class_exists('WooCommerce'),
        ]);

    default:
        fwrite(STDERR, 'unknown probe ' . MIRAKL_PROBE_NAME . "\n");
        exit(2);
}
