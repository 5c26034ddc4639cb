<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Shop\ShopRejected;
use MiraklConnector\Shop\WooShop;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * WooShop, the engine's Shop port on WooCommerce's CRUD API, driven with the drafts the engine
 * sends (no marketplace involved): orders by SKU with the marketplace's prices and taxes,
 * addresses, meta and stock; rejections; cancellation; stock reads; refunds both ways; tracking.
 * Runs in both order storages (build/test runs the suite twice).
 */
final class WooShopTest extends MarketplaceTestCase
{
    private function draft(array $lines, array $overrides = []): array
    {
        $address = [
            'first_name' => 'Marie', 'last_name' => 'Martin', 'company' => null,
            'street_1' => '12 rue des Lilas', 'street_2' => 'Bât. B', 'zip_code' => '75011', 'city' => 'Paris',
            'state' => null, 'country_iso_code' => 'FR', 'phone' => '+33100000000',
        ];
        return $overrides + [
            'mirakl_order_id' => 'MO-' . bin2hex(random_bytes(4)) . '-A',
            'commercial_id' => 'CM-1',
            'currency' => 'EUR',
            'prices_include_tax' => true,
            'lines' => $lines,
            'shipping_total' => '0',
            'total' => '0',
            'commission_total' => '5.10',
            'customer_first_name' => 'Marie',
            'customer_last_name' => 'Martin',
            'billing_address' => $address,
            'shipping_address' => ['first_name' => 'Paul'] + $address,
            'status' => 'on-hold',
        ];
    }

    private function line(string $sku, int $quantity, string $price, string $tax, string $shipping = '4.90', string $shippingTax = '0.82', string $lineId = ''): array
    {
        return [
            'sku' => $sku, 'quantity' => $quantity, 'price' => $price, 'unit_price' => $price,
            'tax' => $tax, 'shipping_price' => $shipping, 'shipping_tax' => $shippingTax,
            'commission_fee' => '2.00', 'commission_vat' => '0.40', 'commission_total' => '2.40',
            'mirakl_order_line_id' => $lineId !== '' ? $lineId : $sku . '-line',
        ];
    }

    public function test_an_order_is_made_from_skus_of_products_and_variations_with_the_marketplace_prices_taxes_addresses_meta_and_stock(): void
    {
        $prefix = $this->skuPrefix();
        $simple = $this->simpleProduct("$prefix-S", 10);
        $shirt = $this->variableProduct("$prefix-V", ['M' => 5, 'L' => 3]);
        $draft = $this->draft([
            $this->line("$prefix-S", 2, '39.80', '6.63', '4.90', '0.82', 'L1'),
            $this->line("$prefix-V-L", 1, '30.00', '5.00', '4.90', '0.82', 'L2'),
        ]);
        $shop = new WooShop();
        $this->assertNull($shop->find_order_by_mirakl_id($draft['mirakl_order_id']));

        $id = $shop->create_order($draft);
        $order = wc_get_order($id);
        $this->assertInstanceOf(\WC_Order::class, $order);
        $this->assertSame(['id' => $id, 'status' => 'on-hold'], $shop->find_order_by_mirakl_id($draft['mirakl_order_id']));
        $this->assertSame('mirakl', $order->get_created_via());
        $this->assertSame('EUR', $order->get_currency());
        $this->assertSame('Mirakl (Marketplace)', $order->get_payment_method_title());
        $this->assertSame($draft['mirakl_order_id'], $order->get_meta('_mirakl_order_id'));
        $this->assertSame('CM-1', $order->get_meta('_mirakl_commercial_id'));
        $this->assertSame('5.10', $order->get_meta('_mirakl_commission_total'));

        // Lines: resolved by SKU (the variation itself, not its parent), net of tax, tax apart.
        $items = array_values($order->get_items('line_item'));
        $this->assertCount(2, $items);
        $this->assertSame($simple->get_id(), $items[0]->get_product_id());
        $this->assertSame(0, $items[0]->get_variation_id());
        $this->assertSame(2, $items[0]->get_quantity());
        $this->assertEqualsWithDelta(33.17, (float) $items[0]->get_total(), 0.001);
        $this->assertEqualsWithDelta(6.63, (float) $items[0]->get_total_tax(), 0.001);
        $this->assertSame('L1', $items[0]->get_meta('_mirakl_order_line_id'));
        $this->assertSame('2.40', $items[0]->get_meta('_mirakl_commission_total'));
        $this->assertSame($shirt['parent']->get_id(), $items[1]->get_product_id());
        $this->assertSame($shirt['variations']['L']->get_id(), $items[1]->get_variation_id());
        $this->assertSame('L', $items[1]->get_meta('size'), 'the variation attribute is on the line');
        $this->assertEqualsWithDelta(25.00, (float) $items[1]->get_total(), 0.001);

        // Shipping line and totals: what the customer paid on the marketplace, to the cent.
        $shipping = array_values($order->get_items('shipping'));
        $this->assertCount(1, $shipping);
        $this->assertEqualsWithDelta(8.16, (float) $shipping[0]->get_total(), 0.001);
        $this->assertEqualsWithDelta(1.64, (float) $order->get_shipping_tax(), 0.001);
        $this->assertEqualsWithDelta(11.63, (float) $order->get_cart_tax(), 0.001);
        $this->assertEqualsWithDelta(39.80 + 30.00 + 9.80, (float) $order->get_total(), 0.001);
        $this->assertCount(1, $order->get_taxes());

        // Addresses, with the core's ISO alpha-2 country code as given.
        $this->assertSame('Marie', $order->get_billing_first_name());
        $this->assertSame('FR', $order->get_billing_country());
        $this->assertSame('75011', $order->get_billing_postcode());
        $this->assertSame('Bât. B', $order->get_billing_address_2());
        $this->assertSame('Paul', $order->get_shipping_first_name());
        $this->assertSame('FR', $order->get_shipping_country());
        $this->assertSame('', $order->get_billing_email(), 'no anonymised address is stored');

        // Stock reduced once, at creation.
        $this->assertSame(8, $this->stockOf($simple->get_id()));
        $this->assertSame(2, $this->stockOf($shirt['variations']['L']->get_id()));
        $this->assertSame(5, $this->stockOf($shirt['variations']['M']->get_id()));
        $order->update_status('processing');
        $this->assertSame(8, $this->stockOf($simple->get_id()), 'payment does not reduce the stock again');

        $notes = array_map(fn ($n) => $n->content, wc_get_order_notes(['order_id' => $id]));
        $this->assertNotEmpty(array_filter($notes, fn ($n) => str_contains($n, $draft['mirakl_order_id'])), 'an order note names the Mirakl order');
    }

    public function test_the_order_of_a_mirakl_order_is_found_among_many(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 10);
        $shop = new WooShop();
        wc_create_order()->save();
        $first = $shop->create_order($this->draft([$this->line("$prefix-S", 1, '10', '1.67')]));
        $draft = $this->draft([$this->line("$prefix-S", 1, '10', '1.67')]);
        $this->assertNull($shop->find_order_by_mirakl_id($draft['mirakl_order_id']));
        $second = $shop->create_order($draft);
        wc_create_order()->save();
        $this->assertSame($second, $shop->find_order_by_mirakl_id($draft['mirakl_order_id'])['id']);
        $this->assertNotSame($first, $second);
        $this->assertNull($shop->find_order_by_mirakl_id('MO-NOT-THERE'));
    }

    public function test_marketplace_orders_modified_since_are_listed_by_id_page_by_page_with_their_refunds(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 10);
        $shop = new WooShop();
        $since = time() - 5;
        $plain = wc_create_order();
        $plain->save();
        $ids = [];
        for ($i = 0; $i < 3; $i++) {
            $ids[] = $shop->create_order($this->draft([$this->line("$prefix-S", 1, '10', '1.67', '0', '0', 'L1')]));
        }
        $order = wc_get_order($ids[1]);
        $items = array_values($order->get_items('line_item'));
        $refund = wc_create_refund([
            'order_id' => $ids[1],
            'amount' => '10.00',
            'reason' => 'returned',
            'line_items' => [$items[0]->get_id() => ['qty' => 1, 'refund_total' => '10.00', 'refund_tax' => []]],
        ]);
        $this->assertNotWPError($refund);

        $seen = [];
        $rows = [];
        for ($page = 1; $page <= 50; $page++) {
            $answer = $shop->marketplace_orders($since, $page, 2);
            $this->assertLessThanOrEqual(2, count($answer['orders']));
            foreach ($answer['orders'] as $row) {
                $seen[] = $row['id'];
                $rows[$row['id']] = $row;
            }
            if (!$answer['more']) {
                break;
            }
        }
        foreach ($ids as $id) {
            $this->assertContains($id, $seen, "order $id is listed");
        }
        $this->assertNotContains($plain->get_id(), $seen, 'an order without a Mirakl id is not');
        $sorted = $seen;
        sort($sorted);
        $this->assertSame($sorted, $seen, 'by ascending id');
        $row = $rows[$ids[1]];
        $this->assertSame(wc_get_order($ids[1])->get_meta(WooShop::META_ORDER_ID), $row['mirakl_order_id']);
        $this->assertSame('refunded', $row['status'], 'refunded in full');
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/', $row['modified_at']);
        $this->assertCount(1, $row['refunds']);
        $this->assertSame($refund->get_id(), $row['refunds'][0]['id']);
        $this->assertSame('10.00', $row['refunds'][0]['amount']);
        $this->assertNull($row['refunds'][0]['mirakl_refund_id']);
        $this->assertSame([], $rows[$ids[0]]['refunds']);
        $this->assertSame([], $shop->marketplace_orders(time() + 3600, 1, 50)['orders'], 'nothing modified in the future');
    }

    public function test_an_order_carries_its_mirakl_id_from_the_save_that_created_it(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 10);
        $shop  = new WooShop();
        $draft = $this->draft([$this->line("$prefix-S", 1, '10', '1.67')]);
        $id    = $shop->create_order($draft);
        // Read from the database as another request would, after the creating transaction.
        \WC_Cache_Helper::invalidate_cache_group('object_' . $id);
        $this->assertSame($draft['mirakl_order_id'], $shop->mirakl_order_id_of($id));
        $plain = wc_create_order();
        $plain->save();
        $this->assertNull($shop->mirakl_order_id_of($plain->get_id()), 'not a marketplace order');
        $this->assertNull($shop->mirakl_order_id_of(987654321), 'no such order');
    }

    public function test_an_order_that_fails_half_way_leaves_nothing_behind(): void
    {
        $prefix = $this->skuPrefix();
        $simple = $this->simpleProduct("$prefix-S", 5);
        $draft = $this->draft([$this->line("$prefix-S", 2, '20', '3.33')]);
        // Another plugin breaks after the order was saved and its stock reduced.
        $break = static function (): void {
            throw new \RuntimeException('a plugin failed while the order was made');
        };
        add_action('woocommerce_reduce_order_stock', $break);
        try {
            (new WooShop())->create_order($draft);
            $this->fail('the failure was swallowed');
        } catch (\RuntimeException $e) {
            $this->assertSame('a plugin failed while the order was made', $e->getMessage());
        } finally {
            remove_action('woocommerce_reduce_order_stock', $break);
        }
        $this->assertNull((new WooShop())->find_order_by_mirakl_id($draft['mirakl_order_id']), 'no half-made order');
        $this->assertSame(5, $this->stockOf($simple->get_id()), 'the stock is as before');
        $id = (new WooShop())->create_order($draft);
        $this->assertSame(3, $this->stockOf($simple->get_id()), 'the retry makes it');
        $this->assertSame($id, (new WooShop())->find_order_by_mirakl_id($draft['mirakl_order_id'])['id']);
    }

    public function test_tax_excluded_amounts_get_their_tax_added(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 4);
        $draft = $this->draft([$this->line("$prefix-S", 1, '10.00', '2.00', '5.00', '1.00')], ['prices_include_tax' => false]);
        $order = wc_get_order((new WooShop())->create_order($draft));
        $items = array_values($order->get_items('line_item'));
        $this->assertEqualsWithDelta(10.00, (float) $items[0]->get_total(), 0.001);
        $this->assertEqualsWithDelta(2.00, (float) $items[0]->get_total_tax(), 0.001);
        $this->assertEqualsWithDelta(18.00, (float) $order->get_total(), 0.001);
        $this->assertSame('TAX_EXCLUDED', $order->get_meta('_mirakl_order_tax_mode'));
    }

    public function test_an_unknown_sku_a_variable_parent_or_short_stock_is_rejected_and_nothing_is_made(): void
    {
        $prefix = $this->skuPrefix();
        $simple = $this->simpleProduct("$prefix-S", 1);
        $this->variableProduct("$prefix-V", ['M' => 5]);
        $shop = new WooShop();
        foreach ([
            [$this->line("$prefix-S", 1, '9', '1'), $this->line("$prefix-NOPE", 1, '9', '1')],
            [$this->line("$prefix-V", 1, '9', '1')],
            [$this->line("$prefix-S", 2, '9', '1')],
        ] as $lines) {
            $draft = $this->draft($lines);
            try {
                $shop->create_order($draft);
                $this->fail('the order was made: ' . json_encode($lines));
            } catch (ShopRejected $e) {
                $this->assertNotSame('', $e->getMessage());
            }
            $this->assertNull($shop->find_order_by_mirakl_id($draft['mirakl_order_id']));
        }
        $this->assertSame(1, $this->stockOf($simple->get_id()));
    }

    public function test_skus_of_draft_private_pending_or_unpublished_parents_are_not_sold(): void
    {
        $prefix = $this->skuPrefix();
        $shop = new WooShop();
        $skus = [];
        foreach (['draft', 'private', 'pending'] as $status) {
            $product = $this->simpleProduct("$prefix-$status", 5);
            $product->set_status($status);
            $product->save();
            $skus["$prefix-$status"] = $product->get_id();
        }
        $variable = $this->variableProduct("$prefix-V", ['M' => 5]);
        $variable['parent']->set_status('draft');
        $variable['parent']->save();
        $skus["$prefix-V-M"] = $variable['variations']['M']->get_id();
        foreach ($skus as $sku => $productId) {
            $draft = $this->draft([$this->line($sku, 1, '9', '1')]);
            try {
                $shop->create_order($draft);
                $this->fail("an order was made from $sku");
            } catch (ShopRejected $e) {
                $this->assertStringContainsString($sku, $e->getMessage());
                $this->assertStringContainsString('publish', $e->getMessage());
            }
            $this->assertNull($shop->find_order_by_mirakl_id($draft['mirakl_order_id']));
            $this->assertSame(5, $this->stockOf($productId));
        }
        $this->assertNotNull($shop->create_order($this->draft([$this->line($this->simpleProduct("$prefix-OK", 5)->get_sku(), 1, '9', '1')])));
    }

    public function test_cancelling_restocks_once_and_status_changes_are_idempotent(): void
    {
        $prefix = $this->skuPrefix();
        $simple = $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->draft([$this->line("$prefix-S", 2, '20', '3.33')]));
        $this->assertSame(3, $this->stockOf($simple->get_id()));
        $shop->set_order_status($id, 'processing');
        $shop->set_order_status($id, 'wc-processing');
        $this->assertSame('processing', wc_get_order($id)->get_status());
        $shop->cancel_order($id, 'Mirakl order is CANCELED');
        $shop->cancel_order($id, 'Mirakl order is CANCELED');
        $this->assertSame('cancelled', wc_get_order($id)->get_status());
        $this->assertSame(5, $this->stockOf($simple->get_id()), 'restocked exactly once');
        $shop->add_order_note($id, 'a marketplace event');
        $this->assertContains('a marketplace event', array_map(fn ($n) => $n->content, wc_get_order_notes(['order_id' => $id])));
        $this->expectException(ShopRejected::class);
        $shop->set_order_status(999999999, 'processing');
    }

    public function test_addresses_revealed_later_fill_an_order_created_without_them(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        // Operators often hide addresses until the order is paid: the order is made without them.
        $id = $shop->create_order($this->draft([$this->line("$prefix-S", 1, '20', '3.33')], ['billing_address' => null, 'shipping_address' => null]));
        $order = wc_get_order($id);
        $this->assertSame('Marie', $order->get_billing_first_name(), 'the buyer is named');
        $this->assertSame('', $order->get_shipping_address_1());

        $shipping = ['first_name' => 'Paul', 'last_name' => 'Martin', 'company' => null, 'street_1' => '8 quai des Orfèvres',
            'street_2' => null, 'zip_code' => '69002', 'city' => 'Lyon', 'state' => null, 'country_iso_code' => 'FR', 'phone' => null];
        $shop->update_order_addresses($id, null, $shipping);
        $order = wc_get_order($id);
        $this->assertSame(['8 quai des Orfèvres', 'Lyon', '69002', 'FR', 'Paul'], [
            $order->get_shipping_address_1(), $order->get_shipping_city(), $order->get_shipping_postcode(),
            $order->get_shipping_country(), $order->get_shipping_first_name(),
        ]);
        $this->assertSame('', $order->get_billing_city(), 'a null billing address is left as it is');
        $notes = fn () => count(wc_get_order_notes(['order_id' => $id]));
        $before = $notes();
        $shop->update_order_addresses($id, null, $shipping);
        $this->assertSame($before, $notes(), 'the same address again changes nothing');
        $this->expectException(ShopRejected::class);
        $shop->update_order_addresses(999999999, null, $shipping);
    }

    public function test_an_address_without_a_country_keeps_the_one_a_person_entered(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->draft([$this->line("$prefix-S", 1, '20', '3.33')], ['billing_address' => null, 'shipping_address' => null]));
        // The core could not resolve the label: the merchant enters the country by hand.
        $order = wc_get_order($id);
        $order->set_shipping_country('FR');
        $order->save();
        $shipping = ['first_name' => 'Paul', 'last_name' => 'Martin', 'company' => null, 'street_1' => '2 rue de la Paix',
            'street_2' => null, 'zip_code' => '20000', 'city' => 'Ajaccio', 'state' => null, 'country_iso_code' => '', 'phone' => null];
        $shop->update_order_addresses($id, null, $shipping);
        $order = wc_get_order($id);
        $this->assertSame(['Ajaccio', 'FR'], [$order->get_shipping_city(), $order->get_shipping_country()],
            'a later sync with an unresolved country updates the address but keeps the country');
    }

    public function test_stock_is_read_in_bulk_for_products_and_variations(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 7);
        $shirt = $this->variableProduct("$prefix-V", ['M' => 5, 'L' => 0]);
        $unmanaged = new \WC_Product_Simple();
        $unmanaged->set_name('Unmanaged');
        $unmanaged->set_sku("$prefix-U");
        $unmanaged->set_regular_price('5');
        $unmanaged->set_status('publish');
        $unmanaged->save();
        global $wpdb;
        $before = $wpdb->num_queries;
        $levels = (new WooShop())->read_stock(["$prefix-S", "$prefix-V-M", "$prefix-V-L", "$prefix-U", "$prefix-UNKNOWN"]);
        $this->assertSame(1, $wpdb->num_queries - $before, 'one query of the lookup table');
        $bySku = array_column($levels, 'quantity', 'sku');
        $this->assertSame(["$prefix-S" => 7, "$prefix-V-M" => 5, "$prefix-V-L" => 0, "$prefix-U" => null], $bySku);

        // A checkout-style change is visible at once.
        wc_update_product_stock($shirt['variations']['M'], 2, 'decrease');
        $this->assertSame(3, array_column((new WooShop())->read_stock(["$prefix-V-M"]), 'quantity', 'sku')["$prefix-V-M"]);
    }

    public function test_offers_and_catalogue_pages_list_sellable_products_with_their_data(): void
    {
        $prefix = $this->skuPrefix();
        $simple = $this->simpleProduct("$prefix-S", 7, '12.5');
        $this->variableProduct("$prefix-V", ['M' => 5]);
        $offers = (new WooShop())->read_offers(["$prefix-S", "$prefix-V-M"]);
        $this->assertCount(2, $offers);
        $this->assertSame(['product_id' => $simple->get_id(), 'sku' => "$prefix-S", 'title' => "Product $prefix-S", 'price' => '12.500000',
            'product_reference' => null, 'quantity' => 7, 'description' => null], $offers[0]);
        $seen = [];
        $after = (string) ($simple->get_id() - 1);
        do {
            $page = (new WooShop())->read_catalogue($after, 2);
            foreach ($page['items'] as $item) {
                $seen[] = $item['sku'];
            }
            $after = $page['next'];
        } while ($after !== null);
        $this->assertContains("$prefix-S", $seen);
        $this->assertContains("$prefix-V-M", $seen);
        $this->assertNotContains("$prefix-V", $seen, 'a variable parent is not an offer');
    }

    public function test_marketplace_refunds_are_recorded_once_and_read_back_as_coming_from_mirakl(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->draft([$this->line("$prefix-S", 2, '24.00', '4.00', '6.00', '1.00', 'L1')]));
        $refund = ['mirakl_refund_id' => 'R-77', 'mirakl_order_line_id' => 'L1', 'sku' => "$prefix-S", 'quantity' => 1,
            'amount' => '12.00', 'shipping_amount' => '6.00', 'reason_code' => '15'];
        $refundId = $shop->record_marketplace_refund($id, $refund);
        $this->assertSame($refundId, $shop->record_marketplace_refund($id, $refund), 'a second call returns the same refund');
        $order = wc_get_order($id);
        $this->assertCount(1, $order->get_refunds());
        $this->assertEqualsWithDelta(18.00, (float) $order->get_total_refunded(), 0.001);
        $read = $shop->read_refund($refundId);
        $this->assertSame('R-77', $read['mirakl_refund_id']);
        $this->assertSame([['sku' => "$prefix-S", 'mirakl_order_line_id' => 'L1', 'quantity' => 1, 'amount' => '12.00']], $read['lines']);
        $this->assertSame('6.00', $read['shipping_amount']);
        $this->assertSame([], $this->changes()->pending()['refunds'], 'a refund the connector recorded is not sent back');
    }

    public function test_custom_fields_mapped_to_meta_keys_are_written_under_them_too(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 3);
        $line = $this->line("$prefix-S", 1, '24.00', '4.00');
        $line['additional_fields'] = [['code' => 'engraving', 'value' => 'A & B', 'meta_key' => 'engraving_text']];
        $draft = $this->draft([$line], ['additional_fields' => [
            ['code' => 'gift-message', 'value' => 'Bon anniversaire <b>Marie</b>', 'meta_key' => 'gift_message'],
            ['code' => 'sneaky', 'value' => 'x', 'meta_key' => '_mirakl_order_id'],
            ['code' => 'plain', 'value' => 'kept in the Mirakl fields only'],
        ]]);
        $order = wc_get_order((new WooShop())->create_order($draft));
        $this->assertSame('Bon anniversaire Marie', $order->get_meta('gift_message'));
        $this->assertSame($draft['mirakl_order_id'], $order->get_meta('_mirakl_order_id'), 'a key of the connector is never overwritten');
        $items = array_values($order->get_items('line_item'));
        $this->assertSame('A & B', $items[0]->get_meta('engraving_text'));
        $this->assertSame('kept in the Mirakl fields only', $order->get_meta(WooShop::META_FIELDS)['plain'] ?? null);
    }

    public function test_an_order_the_operator_ships_from_its_own_stock_leaves_woocommerce_stock_alone(): void
    {
        $prefix = $this->skuPrefix();
        $product = $this->simpleProduct("$prefix-S", 1);
        $shop = new WooShop();
        $draft = $this->draft([$this->line("$prefix-S", 2, '24.00', '4.00')], ['reduce_stock' => false, 'fulfillment_center_code' => 'OPERATOR-DC1']);
        $id = $shop->create_order($draft);
        $this->assertSame(1, $this->stockOf($product->get_id()), 'two ordered, the shop still has its one');
        $order = wc_get_order($id);
        $this->assertSame('OPERATOR-DC1', $order->get_meta(\MiraklConnector\Admin\OrderMeta::FULFILLMENT_CENTER));
        $order->set_status('processing');
        $order->save();
        $this->assertSame(1, $this->stockOf($product->get_id()), 'nor on the way to processing');
        $shop->cancel_order($id, 'Cancelled on the marketplace.');
        $this->assertSame(1, $this->stockOf($product->get_id()), 'and nothing comes back on cancel');
    }

    public function test_a_tax_excluded_marketplace_refund_is_booked_with_mirakls_taxes_to_the_cent(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $draft = $this->draft([$this->line("$prefix-S", 1, '40.00', '20.00', '2.00', '0.40', 'L1')], ['prices_include_tax' => false]);
        $id = $shop->create_order($draft);
        $refund = ['mirakl_refund_id' => 'R-91', 'mirakl_order_line_id' => 'L1', 'sku' => "$prefix-S", 'quantity' => 0,
            'amount' => '20.00', 'shipping_amount' => '0.20', 'reason_code' => '15', 'kind' => 'refund',
            'tax' => '10.00', 'shipping_tax' => '0.17', 'prices_include_tax' => false, 'reason_label' => 'Article endommagé',
            'restock' => false];
        $refundId = $shop->record_marketplace_refund($id, $refund);
        $order = wc_get_order($id);
        $this->assertSame('30.37', wc_format_decimal($order->get_total_refunded(), 2), 'amount, tax, shipping and its tax as Mirakl gave them');
        $this->assertEqualsWithDelta(10.17, (float) $order->get_total_tax_refunded(), 0.001);
        $read = $shop->read_refund($refundId);
        $this->assertSame('20.00', $read['lines'][0]['amount'], 'read back in the order\'s tax mode');
        $this->assertSame('0.20', $read['shipping_amount']);
        $notes = array_map(fn ($n) => $n->content, wc_get_order_notes(['order_id' => $id]));
        $this->assertNotEmpty(array_filter($notes, fn ($n) => str_contains($n, 'Article endommagé')), implode(' | ', $notes));
    }

    public function test_a_marketplace_cancelation_is_refunded_restocked_and_noted_once(): void
    {
        $prefix = $this->skuPrefix();
        $product = $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->draft([$this->line("$prefix-S", 2, '24.00', '4.00', '6.00', '1.00', 'L1')]));
        $this->assertSame(3, $this->stockOf($product->get_id()));
        $cancelation = ['mirakl_refund_id' => 'cancelation:8001', 'mirakl_order_line_id' => 'L1', 'sku' => "$prefix-S", 'quantity' => 1,
            'amount' => '12.00', 'shipping_amount' => '0', 'reason_code' => '34', 'kind' => 'cancelation',
            'tax' => '2.00', 'shipping_tax' => '0', 'prices_include_tax' => true, 'reason_label' => 'Rupture de stock',
            'restock' => true];
        $refundId = $shop->record_marketplace_refund($id, $cancelation);
        $this->assertSame($refundId, $shop->record_marketplace_refund($id, $cancelation), 'seen twice, made once');
        $order = wc_get_order($id);
        $this->assertCount(1, $order->get_refunds());
        $this->assertSame('12.00', wc_format_decimal($order->get_total_refunded(), 2));
        $this->assertEqualsWithDelta(2.00, (float) $order->get_total_tax_refunded(), 0.001, "Mirakl's tax, not a re-derived one");
        $this->assertSame(4, $this->stockOf($product->get_id()), 'the cancelled unit is back in stock, once');
        $this->assertSame(1, abs((int) $order->get_qty_refunded_for_item(array_values($order->get_items('line_item'))[0]->get_id())), 'one unit refunded on the line');
        $notes = array_map(fn ($n) => $n->content, wc_get_order_notes(['order_id' => $id]));
        $this->assertNotEmpty(array_filter($notes, fn ($n) => str_contains($n, 'Cancelled on the marketplace') && str_contains($n, 'Rupture de stock')), implode(' | ', $notes));
        $this->assertSame('cancelation:8001', $shop->read_refund($refundId)['mirakl_refund_id'], 'never sent back to Mirakl as a refund');
    }

    public function test_a_woocommerce_refund_is_read_per_line_in_the_orders_tax_mode_and_reported_once(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $this->simpleProduct("$prefix-T", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->draft([
            $this->line("$prefix-S", 2, '24.00', '4.00', '6.00', '1.00', 'L1'),
            $this->line("$prefix-T", 1, '10.00', '1.67', '0', '0', 'L2'),
        ]));
        $order = wc_get_order($id);
        $items = array_values($order->get_items('line_item'));
        $rate = array_key_first($items[0]->get_taxes()['total']);
        $refund = wc_create_refund([
            'order_id' => $id,
            'amount' => '12.00',
            'reason' => 'one broken',
            'line_items' => [$items[0]->get_id() => ['qty' => 1, 'refund_total' => '10.00', 'refund_tax' => [$rate => '2.00']]],
        ]);
        $this->assertNotWPError($refund);
        $this->assertSame([$refund->get_id()], $this->changes()->pending()['refunds'], 'the refund hook collected it');
        $read = $shop->read_refund($refund->get_id());
        $this->assertSame($id, $read['order_id']);
        $this->assertNull($read['mirakl_refund_id']);
        $this->assertSame([['sku' => "$prefix-S", 'mirakl_order_line_id' => 'L1', 'quantity' => 1, 'amount' => '12.00']], $read['lines']);
        $this->assertSame('0.00', $read['shipping_amount']);

        // An amount typed without per-line amounts cannot be split for the marketplace.
        $lump = wc_create_refund(['order_id' => $id, 'amount' => '5.00', 'reason' => 'goodwill']);
        $this->expectException(ShopRejected::class);
        $shop->read_refund($lump->get_id());
    }

    private function assertNotWPError($value): void
    {
        $this->assertFalse(is_wp_error($value), is_wp_error($value) ? $value->get_error_message() : '');
    }

    public function test_tracking_is_read_from_the_orders_own_fields_or_a_shipment_tracking_plugin(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->draft([$this->line("$prefix-S", 1, '10', '1.67')]));
        $this->assertNull($shop->read_tracking($id));
        $order = wc_get_order($id);
        $order->update_meta_data('_wc_shipment_tracking_items', [[
            'tracking_provider' => 'colissimo', 'custom_tracking_provider' => '', 'custom_tracking_link' => '',
            'tracking_number' => '6A123', 'date_shipped' => time(),
        ]]);
        $order->save();
        $this->assertSame(['carrier' => 'colissimo', 'tracking_number' => '6A123', 'tracking_url' => null], $shop->read_tracking($id));
        $this->assertContains($id, $this->changes()->pending()['shipped'], 'tracking added on a marketplace order is reported');
        $order = wc_get_order($id);
        $order->update_meta_data('_mirakl_carrier', 'DHL Express');
        $order->update_meta_data('_mirakl_tracking_number', 'JD0001');
        $order->update_meta_data('_mirakl_tracking_url', 'https://track.example/JD0001');
        $order->save();
        $this->assertSame(['carrier' => 'DHL Express', 'tracking_number' => 'JD0001', 'tracking_url' => 'https://track.example/JD0001'], $shop->read_tracking($id));
    }
}
