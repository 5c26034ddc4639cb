<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Tests\PluginTestCase;

/**
 * What the admin tests share: users with and without `manage_woocommerce`, wp_die turned into an
 * problem (so a refused request can be asserted), and the connector's options put back after
 * each test.
 */
abstract class AdminTestCase extends PluginTestCase
{
    protected const OPTIONS = [
        'mirakl_connector_settings',
        'mirakl_connector_sync_settings',
        'mirakl_connector_shop_settings',
        'mirakl_connector_connection_check',
        'mirakl_connector_alert_digest_until',
    ];

    /** @var array<string, mixed> */
    private array $savedOptions = [];
    /** @var int[] */
    private array $users = [];
    /** @var array */
    private array $savedRequest = [];

    protected function setUp(): void
    {
        global $wpdb;
        // Raw rows, so that the restore does not depend on the options cache.
        foreach (self::OPTIONS as $name) {
            $this->savedOptions[$name] = $wpdb->get_row($wpdb->prepare("SELECT option_value, autoload FROM {$wpdb->options} WHERE option_name = %s", $name), ARRAY_A);
        }
        self::flushOptionsCache();
        $this->savedRequest = [$_POST, $_GET, $_REQUEST];
        add_filter('wp_die_handler', [self::class, 'dieHandler']);
    }

    protected function tearDown(): void
    {
        remove_filter('wp_die_handler', [self::class, 'dieHandler']);
        [$_POST, $_GET, $_REQUEST] = $this->savedRequest;
        global $wpdb;
        foreach ($this->savedOptions as $name => $row) {
            $wpdb->delete($wpdb->options, ['option_name' => $name]);
            if (null !== $row) {
                $wpdb->insert($wpdb->options, ['option_name' => $name] + $row);
            }
        }
        self::flushOptionsCache();
        \MiraklConnector\Admin\Flash::take();
        wp_set_current_user(0);
        require_once ABSPATH . 'wp-admin/includes/user.php';
        foreach ($this->users as $id) {
            wp_delete_user($id);
        }
    }

    private static function flushOptionsCache(): void
    {
        wp_cache_delete('alloptions', 'options');
        wp_cache_delete('notoptions', 'options');
        foreach (self::OPTIONS as $name) {
            wp_cache_delete($name, 'options');
        }
    }

    public static function dieHandler(): callable
    {
        return static function ($message, $title = '', $args = []) {
            $status = is_array($args) ? (int) ($args['response'] ?? 500) : 500;
            throw new WpDie(is_string($message) ? $message : 'wp_die', $status);
        };
    }

    /** Logs in a new user with the given role and, optionally, manage_woocommerce. */
    protected function logIn(string $role, bool $manageWooCommerce): int
    {
        $id = wp_insert_user([
            'user_login' => 'admin-test-' . wp_generate_password(8, false),
            'user_pass' => wp_generate_password(),
            'role' => $role,
        ]);
        $this->assertIsInt($id);
        $this->users[] = $id;
        if ($manageWooCommerce) {
            (new \WP_User($id))->add_cap('manage_woocommerce');
        }
        wp_set_current_user($id);
        return $id;
    }

    /** Sets a posted request with this action's nonce (or a wrong one). */
    protected function post(string $action, array $fields, bool $validNonce = true): void
    {
        $fields['_wpnonce'] = $validNonce ? wp_create_nonce($action) : 'not-a-nonce';
        $fields['action'] = $action;
        $_POST = wp_slash($fields);
        $_REQUEST = $_POST;
    }

    /** Runs an admin-post handler and returns how wp_die refused it, or null when it did not. */
    protected function refusal(callable $handler): ?WpDie
    {
        try {
            $handler();
        } catch (WpDie $die) {
            return $die;
        }
        return null;
    }

    /** The connection settings build/run or a test stored. */
    protected static function connection(): array
    {
        $stored = get_option('mirakl_connector_settings', []);
        return is_array($stored) ? $stored : [];
    }

    /** A whole settings form as the page posts it, valid. */
    protected static function validForm(array $overrides = []): array
    {
        return array_merge([
            'api_url' => 'https://marketplace.example.com/api',
            'api_key' => 'secret-key-123',
            'shop_id' => '',
            'connect_timeout' => '5',
            'timeout' => '30',
            'stock_buffer' => '1',
            'low_stock_threshold' => '2',
            'stock_push_interval_secs' => '300',
            'listed_product_types' => ['simple', 'variable'],
            'product_id_type' => 'SHOP_SKU',
            'product_reference_meta' => '',
            'acceptance_window_hours' => '72',
            'acceptance_warning_percents' => '50, 80',
            'unknown_sku_policy' => 'hold',
            'short_stock_policy' => 'refuse',
            'partial_acceptance' => '1',
            'order_tax_mode' => 'TAX_INCLUDED',
            'marketplace_name' => 'Example Marketplace',
            'status_mapping' => ['SHIPPING' => 'processing', 'WAITING_ACCEPTANCE' => 'on-hold'],
            'shipped_status' => 'completed',
            'shipping_deadline_warning_hours' => '12',
            'carrier_names' => ['Colissimo', ''],
            'carrier_codes' => ['COLISSIMO', ''],
            'use_shipments_api' => '1',
            'refund_reason_code' => '15',
            'alert_recipients' => 'ops@example.com',
            'alert_kinds' => ['order_held'],
        ], $overrides);
    }
}

/** wp_die() as a problem, for tests. */
final class WpDie extends \RuntimeException
{
}
