<?php

namespace MiraklConnector\Tests\Plugin;

require_once __DIR__ . '/AdminTestCase.php';

use MiraklConnector\Admin\Flash;
use MiraklConnector\Admin\SettingsForm;
use MiraklConnector\Admin\SettingsPage;
use MiraklConnector\Native\Bridge;

/**
 * WooCommerce → Mirakl settings: every value checked with a message naming the field, nothing
 * saved when anything is wrong, the API key kept private (never autoloaded, never printed).
 */
final class AdminSettingsTest extends AdminTestCase
{
    private function validate(array $form, array $stored = []): array
    {
        return (new SettingsForm(new Bridge()))->validate($form, $stored);
    }

    public function test_a_valid_form_gives_the_three_settings_normalised(): void
    {
        $result = $this->validate(self::validForm());
        $this->assertSame([], $result['errors']);
        $this->assertSame('https://marketplace.example.com/api', $result['connection']['api_url']);
        $this->assertSame('secret-key-123', $result['connection']['api_key']);
        $this->assertSame(1, $result['sync']['stock_buffer']);
        $this->assertSame([0.5, 0.8], $result['sync']['acceptance_warning_fractions']);
        $this->assertSame(['Colissimo' => 'COLISSIMO'], $result['sync']['carrier_map']);
        $this->assertSame('processing', $result['sync']['status_mapping']['SHIPPING']);
        $this->assertSame(['ops@example.com'], $result['shop']['alert_recipients']);
        $this->assertSame('completed', $result['shop']['shipped_status']);
        $this->assertFalse($result['shop']['send_customer_emails']);
    }

    public function test_the_line_limit_per_order_defaults_to_500_and_is_saved(): void
    {
        $this->assertSame(500, $this->validate(self::validForm())['sync']['max_order_lines']);
        $result = $this->validate(self::validForm(['max_order_lines' => '2000']));
        $this->assertSame([], $result['errors']);
        $this->assertSame(2000, $result['sync']['max_order_lines']);
    }

    public function test_the_response_caps_and_allowed_hosts_are_connection_settings_the_core_checks(): void
    {
        $defaults = $this->validate(self::validForm());
        $this->assertSame([], $defaults['errors']);
        $this->assertSame(8, $defaults['connection']['max_response_mib']);
        $this->assertSame(64, $defaults['connection']['max_export_mib']);
        $this->assertSame([], $defaults['connection']['allowed_hosts']);

        $result = $this->validate(self::validForm(['max_response_mib' => '16', 'max_export_mib' => '512', 'allowed_hosts' => 'Marketplace.example.com, *.mirakl.net']));
        $this->assertSame([], $result['errors']);
        $this->assertSame(16, $result['connection']['max_response_mib']);
        $this->assertSame(512, $result['connection']['max_export_mib']);
        $this->assertSame(['marketplace.example.com', '*.mirakl.net'], $result['connection']['allowed_hosts']);

        // What is stored is what the core accepts back, and the page shows it again.
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $this->assertTrue($page->save(self::validForm(['max_response_mib' => '16', 'max_export_mib' => '512', 'allowed_hosts' => 'marketplace.example.com'])));
        $stored = (new Bridge())->validate_settings(self::connection());
        $this->assertSame(16, $stored['max_response_mib']);
        $this->assertSame(['marketplace.example.com'], $stored['allowed_hosts']);
        ob_start();
        $page->render();
        $html = ob_get_clean();
        $this->assertSame(1, preg_match('/name="mirakl\[max_response_mib\]"[^>]*value="16"|value="16"[^>]*name="mirakl\[max_response_mib\]"/', $html), 'the answer cap is shown');
        $this->assertSame(1, preg_match('/name="mirakl\[max_export_mib\]"[^>]*value="512"|value="512"[^>]*name="mirakl\[max_export_mib\]"/', $html), 'the export cap is shown');
        $this->assertTrue(str_contains($html, 'value="marketplace.example.com"'), 'the allowed hosts are shown');
    }

    public function test_a_shop_manager_cannot_change_the_caps_or_the_allowed_hosts(): void
    {
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $this->assertTrue($page->save(self::validForm(['allowed_hosts' => 'marketplace.example.com', 'max_response_mib' => '4'])));
        $this->logIn('shop_manager', true);
        $this->assertTrue($page->save(self::validForm(['allowed_hosts' => '', 'max_response_mib' => '256', 'max_export_mib' => '1024', 'api_key' => ''])));
        $this->assertSame(['marketplace.example.com'], self::connection()['allowed_hosts']);
        $this->assertSame(4, self::connection()['max_response_mib']);
        $this->assertSame(64, self::connection()['max_export_mib']);
    }

    public function test_order_data_is_kept_30_days_by_default_and_the_retention_is_saved(): void
    {
        $this->assertSame(30, $this->validate(self::validForm())['sync']['payload_retention_days']);
        $result = $this->validate(self::validForm(['payload_retention_days' => '7']));
        $this->assertSame([], $result['errors']);
        $this->assertSame(7, $result['sync']['payload_retention_days']);
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $this->assertTrue($page->save(self::validForm(['payload_retention_days' => '90'])));
        $this->assertSame(90, get_option('mirakl_connector_sync_settings')['payload_retention_days']);
        ob_start();
        $page->render();
        $html = ob_get_clean();
        $this->assertSame(1, preg_match('/name="mirakl\[payload_retention_days\]"[^>]*value="90"|value="90"[^>]*name="mirakl\[payload_retention_days\]"/', $html), 'the retention is shown');
    }

    public function test_a_loopback_api_url_needs_the_development_mode_the_test_site_turns_on(): void
    {
        $this->assertTrue(defined('MIRAKL_CONNECTOR_DEVELOPMENT'), 'the test sites define MIRAKL_CONNECTOR_DEVELOPMENT');
        $this->assertTrue(Bridge::development_mode());
        $result = $this->validate(self::validForm(['api_url' => 'http://127.0.0.1:8089/api']));
        $this->assertSame([], $result['errors'], 'development mode: a local sandbox is accepted');
        $this->assertSame('http://127.0.0.1:8089/api', $result['connection']['api_url']);
        // Outside it the core refuses the same URL, naming the constant.
        try {
            \MiraklConnector\Native\validate_settings(['api_url' => 'http://127.0.0.1:8089/api', 'api_key' => 'k'], false);
            $this->fail('a loopback host is accepted outside development mode');
        } catch (\MiraklConnector\Native\SettingsException $e) {
            $this->assertStringContainsString('MIRAKL_CONNECTOR_DEVELOPMENT', $e->getMessage());
        }
    }

    /** @return array<string, array{array, string, string}> */
    public static function badValues(): array
    {
        return [
            'an ftp URL' => [['api_url' => 'ftp://marketplace.example.com'], 'api_url', 'API URL: must use https'],
            'a key with spaces' => [['api_key' => 'two words'], 'api_key', 'API key:'],
            'a shop id in letters' => [['shop_id' => 'abc'], 'shop_id', 'Shop id: must be a whole number'],
            'a timeout in words' => [['timeout' => 'soon'], 'timeout', 'Request timeout: "soon" is not a whole number'],
            'a negative buffer' => [['stock_buffer' => '-1'], 'stock_buffer', 'Stock buffer: must be 0 or more'],
            'a 10 s push interval' => [['stock_push_interval_secs' => '10'], 'stock_push_interval_secs', 'Stock push interval: must be between 60 and 86400'],
            'a 0 h acceptance window' => [['acceptance_window_hours' => '0'], 'acceptance_window_hours', 'Acceptance window:'],
            'a warning at 150 %' => [['acceptance_warning_percents' => '50, 150'], 'acceptance_warning_fractions', 'Acceptance warnings:'],
            'no warning at all' => [['acceptance_warning_percents' => ''], 'acceptance_warning_fractions', 'Acceptance warnings: give at least one'],
            'an unknown policy' => [['unknown_sku_policy' => 'ignore'], 'unknown_sku_policy', 'Unknown SKU: choose hold or refuse'],
            'a carrier without code' => [['carrier_names' => ['DHL'], 'carrier_codes' => ['']], 'carrier_map', 'Carrier mapping: the row "DHL" needs both'],
            'an unknown shipped status' => [['shipped_status' => 'teleported'], 'shipped_status', 'Shipped status:'],
            'no product type' => [['listed_product_types' => []], 'listed_product_types', 'Product types listed:'],
            'a meta key with spaces' => [['product_reference_meta' => 'my ean'], 'product_reference_meta', 'Product identifier field:'],
            'a bad e-mail' => [['alert_recipients' => 'ops@example.com, not-an-address'], 'alert_recipients', 'Alert recipients: "not-an-address"'],
            'a bad tax mode' => [['order_tax_mode' => 'BOTH'], 'order_tax_mode', 'Prices in orders: must be TAX_INCLUDED or TAX_EXCLUDED'],
            'a country label without code' => [['country_label_map_keys' => ['Metropole'], 'country_label_map_values' => ['']], 'country_label_map', 'Country label mapping: the row "Metropole" needs'],
            'a country label mapped to an alpha-3 code' => [['country_label_map_keys' => ['Metropole'], 'country_label_map_values' => ['FRA']], 'country_label_map', 'Country label mapping: the row "Metropole"'],
            'a country label mapped to no country' => [['country_label_map_keys' => ['Metropole'], 'country_label_map_values' => ['ZZ']], 'country_label_map', 'Country label mapping:'],
            'no line allowed per order' => [['max_order_lines' => '0'], 'max_order_lines', 'Most lines per order: must be between 1 and 10000'],
            'a line limit in words' => [['max_order_lines' => 'many'], 'max_order_lines', 'Most lines per order: "many" is not a whole number'],
            'an answer cap of 0 MiB' => [['max_response_mib' => '0'], 'max_response_mib', 'Largest answer: must be a whole number of MiB from 1 to 256'],
            'an answer cap over 256 MiB' => [['max_response_mib' => '257'], 'max_response_mib', 'Largest answer: must be a whole number of MiB from 1 to 256'],
            'an export cap in words' => [['max_export_mib' => 'big'], 'max_export_mib', 'Largest export: "big" is not a whole number'],
            'an export cap over 1024 MiB' => [['max_export_mib' => '2048'], 'max_export_mib', 'Largest export: must be a whole number of MiB from 1 to 1024'],
            'an allowed host with a scheme' => [['allowed_hosts' => 'https://marketplace.example.com'], 'allowed_hosts', 'Allowed API hosts: "https://marketplace.example.com" is not a host name'],
            'a URL off the allowed hosts' => [['allowed_hosts' => 'acme.mirakl.net'], 'api_url', 'API URL: host marketplace.example.com is not on the allowed API hosts'],
            'no day of order data' => [['payload_retention_days' => '0'], 'payload_retention_days', 'Order data kept: must be between 1 and 3650 days'],
            'order data kept for ever' => [['payload_retention_days' => '99999'], 'payload_retention_days', 'Order data kept: must be between 1 and 3650 days'],
            'a shipping type without method' => [['shipping_method_map_keys' => ['EXPRESS'], 'shipping_method_map_values' => ['']], 'shipping_method_map', 'Shipping methods: the row "EXPRESS" needs'],
        ];
    }

    /** @dataProvider badValues */
    public function test_a_bad_value_is_refused_with_a_message_naming_the_field(array $override, string $field, string $message): void
    {
        $result = $this->validate(self::validForm($override));
        $this->assertArrayHasKey($field, $result['errors'], 'errors: ' . var_export($result['errors'], true));
        $this->assertStringStartsWith($message, $result['errors'][$field]);
    }

    public function test_country_labels_and_shipping_methods_are_saved_as_maps_and_shown_again(): void
    {
        $result = $this->validate(self::validForm([
            'country_label_map_keys' => ['Métropole & Corse', '', ' Deutschland Festland '],
            'country_label_map_values' => ['fr', '', 'DE'],
            'shipping_method_map_keys' => ['express'],
            'shipping_method_map_values' => ['flat_rate'],
        ]));
        $this->assertSame([], $result['errors']);
        $this->assertSame(['Deutschland Festland' => 'DE', 'Métropole & Corse' => 'FR'], $result['sync']['country_label_map']);
        $this->assertSame(['EXPRESS' => 'flat_rate'], $result['sync']['shipping_method_map']);

        $this->logIn('administrator', true);
        update_option('mirakl_connector_sync_settings', $result['sync'], false);
        ob_start();
        (new SettingsPage(new Bridge()))->render();
        $html = ob_get_clean();
        $this->assertTrue(str_contains($html, 'id="mirakl-field-country_label_map"'), 'the mapping table is on the page');
        $this->assertTrue(str_contains($html, 'value="Métropole &amp; Corse"'), 'a mapped label is shown, escaped');
        $this->assertTrue(str_contains($html, 'id="mirakl-field-shipping_method_map"'));
        $this->assertTrue(str_contains($html, 'value="flat_rate"'));
    }

    public function test_nothing_is_saved_when_one_section_is_wrong(): void
    {
        $this->logIn('administrator', true);
        $before = [get_option('mirakl_connector_settings'), get_option('mirakl_connector_sync_settings'), get_option('mirakl_connector_shop_settings')];

        $saved = (new SettingsPage(new Bridge()))->save(self::validForm(['stock_buffer' => '5', 'alert_recipients' => 'nobody']));

        $this->assertFalse($saved);
        $this->assertSame($before, [get_option('mirakl_connector_settings'), get_option('mirakl_connector_sync_settings'), get_option('mirakl_connector_shop_settings')], 'no option changed');
        $flash = Flash::take();
        $this->assertSame('error', $flash['type']);
        $this->assertArrayHasKey('alert_recipients', $flash['errors']);
        $this->assertArrayNotHasKey('api_key', $flash['values'], 'the typed key is not kept for redisplay');
    }

    public function test_a_valid_save_stores_everything_with_the_key_not_autoloaded(): void
    {
        global $wpdb;
        $this->logIn('administrator', true);
        $this->assertTrue((new SettingsPage(new Bridge()))->save(self::validForm()));

        $this->assertSame('secret-key-123', self::connection()['api_key']);
        $this->assertSame(1, get_option('mirakl_connector_sync_settings')['stock_buffer']);
        $this->assertSame('Example Marketplace', get_option('mirakl_connector_shop_settings')['marketplace_name']);
        $autoload = $wpdb->get_var($wpdb->prepare("SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", 'mirakl_connector_settings'));
        $this->assertContains($autoload, ['no', 'off'], 'the option holding the API key is not autoloaded');
        $this->assertSame('success', Flash::take()['type']);
    }

    public function test_an_empty_key_field_keeps_the_stored_key_and_a_new_one_replaces_it(): void
    {
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $this->assertTrue($page->save(self::validForm(['api_key' => 'first-key'])));
        $this->assertTrue($page->save(self::validForm(['api_key' => ''])));
        $this->assertSame('first-key', self::connection()['api_key'], 'an empty field keeps the key');
        $this->assertTrue($page->save(self::validForm(['api_key' => 'second-key'])));
        $this->assertSame('second-key', self::connection()['api_key'], 'a typed key replaces it');
    }

    public function test_a_new_host_without_a_new_key_is_refused_and_the_stored_key_stays_with_its_host(): void
    {
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $this->assertTrue($page->save(self::validForm(['api_key' => 'first-key'])));
        $saved = $page->save(self::validForm(['api_url' => 'https://elsewhere.example.net/api', 'api_key' => '']));
        $this->assertFalse($saved, 'the stored key is not kept for another host');
        $flash = Flash::take();
        $this->assertArrayHasKey('api_key', $flash['errors']);
        $this->assertStringContainsString('new host', $flash['errors']['api_key']);
        $this->assertSame('https://marketplace.example.com/api', self::connection()['api_url'], 'the key never moves to the new host');
        $this->assertSame('first-key', self::connection()['api_key']);
        // PHP's URL parser sees the old host here, the core (as browsers) another one: the host
        // compared is the core's.
        $this->assertFalse($page->save(self::validForm(['api_url' => 'https://evil.example\\@marketplace.example.com/api', 'api_key' => ''])), 'a URL PHP and the core read differently');
        $this->assertStringContainsString('new host', Flash::take()['errors']['api_key'] ?? '');
        $this->assertSame('first-key', self::connection()['api_key']);
        $this->assertTrue($page->save(self::validForm(['api_url' => 'https://elsewhere.example.net/api', 'api_key' => 'second-key'])));
        $this->assertSame('https://elsewhere.example.net/api', self::connection()['api_url']);
        $this->assertSame('second-key', self::connection()['api_key']);
        $this->assertTrue($page->save(self::validForm(['api_url' => 'https://elsewhere.example.net/api/', 'api_key' => ''])), 'same host: the key is kept');
        $this->assertSame('second-key', self::connection()['api_key']);
    }

    public function test_a_shop_manager_cannot_change_the_connection_but_saves_the_other_settings(): void
    {
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $this->assertTrue($page->save(self::validForm(['api_key' => 'admin-key'])));
        $this->logIn('shop_manager', true);
        $this->assertFalse(current_user_can('manage_options'));
        $this->assertTrue($page->save(self::validForm(['api_url' => 'https://attacker.example.net/api', 'api_key' => '', 'shop_id' => '77', 'stock_buffer' => '4'])));
        $this->assertSame('https://marketplace.example.com/api', self::connection()['api_url'], 'the URL is the administrator\'s');
        $this->assertSame('admin-key', self::connection()['api_key']);
        $this->assertSame('', (string) self::connection()['shop_id']);
        $this->assertSame(4, get_option('mirakl_connector_sync_settings')['stock_buffer'], 'other settings are saved');
    }

    public function test_shop_settings_kept_by_other_parts_of_the_plugin_survive_a_save(): void
    {
        $this->logIn('administrator', true);
        update_option('mirakl_connector_shop_settings', ['tax_label' => 'TVA marketplace']);
        $this->assertTrue((new SettingsPage(new Bridge()))->save(self::validForm()));
        $this->assertSame('TVA marketplace', get_option('mirakl_connector_shop_settings')['tax_label']);
    }

    public function test_the_page_never_prints_the_api_key(): void
    {
        $this->logIn('administrator', true);
        update_option('mirakl_connector_settings', ['api_url' => 'https://marketplace.example.com/api', 'api_key' => 'never-print-me-42'], false);
        ob_start();
        (new SettingsPage(new Bridge()))->render();
        $html = ob_get_clean();
        $this->assertFalse(str_contains($html, 'never-print-me-42'), 'the key is not in the page');
        $this->assertTrue(str_contains($html, 'A key is stored'), 'the page says a key is stored');
        $this->assertSame(1, preg_match('/<input type="password"[^>]*value=""/', $html), 'the key field is empty');
        $this->assertTrue(str_contains($html, 'value="https://marketplace.example.com/api"'), 'the URL is shown');
    }

    public function test_errors_are_shown_beside_their_fields_after_a_refused_save(): void
    {
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $page->save(self::validForm(['api_url' => 'ftp://x.example', 'stock_buffer' => 'lots']));
        ob_start();
        $page->render();
        $html = ob_get_clean();
        $this->assertTrue(str_contains($html, 'Nothing was saved'), 'the page says nothing was saved');
        $this->assertSame(1, preg_match('/id="mirakl-error-api_url"[^>]*>API URL: must use https/', $html), 'the URL error is beside the URL');
        $this->assertSame(1, preg_match('/id="mirakl-error-stock_buffer"[^>]*>Stock buffer: &quot;lots&quot; is not a whole number/', $html), 'the buffer error is beside the buffer');
        $this->assertTrue(str_contains($html, 'value="ftp://x.example"'), 'what was typed is shown again');
    }

    public function test_typed_text_is_escaped_when_shown_again(): void
    {
        $this->logIn('administrator', true);
        $page = new SettingsPage(new Bridge());
        $page->save(self::validForm(['marketplace_name' => '', 'carrier_names' => ['"><script>alert(1)</script>'], 'carrier_codes' => ['']]));
        ob_start();
        $page->render();
        $html = ob_get_clean();
        $this->assertFalse(str_contains($html, '<script>alert(1)</script>'), 'typed markup is escaped');
    }
}
