<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Cli\Command;
use MiraklConnector\Shop\Money;
use MiraklConnector\Shop\ShopSettings;
use MiraklConnector\Shop\States;
use MiraklConnector\Tests\PluginTestCase;

/**
 * The pieces of WooShop that need no WooCommerce: exact money on decimal strings, Mirakl's
 * state names mapped to WooCommerce's state codes, the shop settings' defaults, and the tick summary the
 * runner prints. Also: without WooCommerce none of the sync services is registered.
 */
final class ShopHelpersTest extends PluginTestCase
{
    public function test_money_is_exact_on_decimal_strings(): void
    {
        $this->assertSame(12500000, Money::micros('12.5'));
        $this->assertSame(-1990000, Money::micros('-1.99'));
        $this->assertSame(3, Money::micros('0.0000025'), 'the seventh decimal rounds half away from zero');
        $this->assertSame(0, Money::micros(''));
        $this->assertSame(19900000, Money::micros(19.9));
        $this->assertSame('33.17', Money::format(Money::micros('39.80') - Money::micros('6.63')));
        $this->assertSame('0.10', Money::format(Money::micros('0.1') + Money::micros('0.2') - Money::micros('0.2')));
        $this->assertSame('-0.01', Money::format(-5000));
        $this->assertSame('0.00', Money::format(-4999));
        $this->assertSame('12.500000', Money::format(12500000, 6));
        $this->assertSame(3315000, Money::share(Money::micros('19.90'), Money::micros('6.63'), Money::micros('39.80')));
        $this->assertSame(0, Money::share(5, 1, 0));
        $this->expectException(\InvalidArgumentException::class);
        Money::micros('12,50');
    }

    public function test_state_names_are_mapped_to_woocommerce_state_codes(): void
    {
        $states = ['B' => 'Barcelona', 'CA' => 'C&aacute;diz', 'M' => 'Madrid'];
        $this->assertSame('B', States::to_woocommerce('Barcelona', $states));
        $this->assertSame('CA', States::to_woocommerce('cadiz', $states), 'accents and case do not matter');
        $this->assertSame('M', States::to_woocommerce(' m ', $states), 'a code is kept as the code');
        $this->assertSame('Atlantis', States::to_woocommerce('Atlantis', $states), 'no match: kept as given');
        $this->assertSame('Bayern', States::to_woocommerce('Bayern', []), 'a country without state codes');
        $this->assertSame('', States::to_woocommerce('', $states));
    }

    public function test_shop_settings_have_defaults_and_keep_only_known_keys(): void
    {
        $saved = get_option(ShopSettings::OPTION, null);
        try {
            delete_option(ShopSettings::OPTION);
            $this->assertSame(ShopSettings::DEFAULTS, ShopSettings::all());
            $this->assertFalse(ShopSettings::get('send_customer_emails'), 'marketplace customers get no WooCommerce e-mails by default');
            update_option(ShopSettings::OPTION, ['marketplace_name' => 'Galeries', 'nonsense' => 1], false);
            $this->assertSame('Galeries', ShopSettings::get('marketplace_name'));
            $this->assertArrayNotHasKey('nonsense', ShopSettings::all());
            $this->assertSame('completed', ShopSettings::shipped_status(['status_mapping' => []]));
            $this->assertSame('shipped', ShopSettings::shipped_status(['status_mapping' => ['SHIPPED' => 'wc-shipped']]));
        } finally {
            $saved === null ? delete_option(ShopSettings::OPTION) : update_option(ShopSettings::OPTION, $saved, false);
        }
    }

    public function test_a_tick_is_summarised_on_one_line(): void
    {
        $line = Command::summarise_tick([
            'duration_ms' => 840, 'ran' => true,
            'jobs' => ['import_order' => ['accepted' => 3], 'push_stock' => ['sent' => 1]],
            'api_calls' => ['OR11' => 1, 'OR21' => 3], 'next_due_at' => '2026-01-01T00:01:00Z',
        ]);
        $this->assertSame('840 ms; jobs: import_order:accepted=3 push_stock:sent=1; API calls: OR11=1 OR21=3; next due: 2026-01-01T00:01:00Z', $line);
    }

    public function test_cli_output_escapes_control_characters_from_the_marketplace(): void
    {
        $this->assertSame('a\\x1B[31mred\\x00\\x07' . "\n" . 'next\\x9B', Command::terminal_safe("a\x1B[31mred\x00\x07\nnext\xC2\x9B"));
        $this->assertSame('Café – 3 €', Command::terminal_safe('Café – 3 €'));
        $bridge = new class {
            public function problems(array $filter): array
            {
                return [['id' => 1, 'severity' => 'error', 'kind' => 'order_rejected', 'entity_type' => 'order',
                    'entity_id' => "X\x1B]0;owned\x07", 'message' => "bad\x1B[2Jwipe"]];
            }
        };
        $row = Command::problem_rows($bridge, 'open', null)[0];
        $this->assertSame('bad\\x1B[2Jwipe', $row['message']);
        $this->assertSame('order X\\x1B]0;owned\\x07', $row['entity']);
    }

    public function test_without_woocommerce_no_sync_service_is_registered(): void
    {
        $this->assertFalse(class_exists('WooCommerce', false));
        $this->assertNull(\MiraklConnector\Runner\Runner::current());
        $this->assertFalse(has_action('woocommerce_product_set_stock'));
        $this->assertFalse(has_action('mirakl_connector_tick'));
    }
}
