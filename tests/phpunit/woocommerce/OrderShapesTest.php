<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Admin\OrderMeta;
use MiraklConnector\Native\ProblemKind;
use MiraklConnector\Shop\WooShop;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * Marketplace orders as real operators send them, end to end against the sandbox: a country
 * given only as a label (or with a null code) becomes a valid WooCommerce country, a state name
 * its WooCommerce state code; a label nothing knows holds the order until it is mapped in the
 * settings, then Retry creates it; the shipping line is titled from the shipping type with its
 * codes as meta; custom fields are kept as order and line meta and shown in the Mirakl box; a
 * customer message is an order note; a promotion is a discount and the total is Mirakl's; a
 * cancelled unit is one refund with Mirakl's taxes, restocked once, totals Mirakl's to the cent.
 */
final class OrderShapesTest extends MarketplaceTestCase
{
    private function product(): string
    {
        $sku = $this->skuPrefix() . '-S';
        $this->simpleProduct($sku, 20, '30.00');
        $this->sandbox()->console('POST', '/offers', [['sku' => $sku, 'price' => '30.00', 'quantity' => 20]]);
        return $sku;
    }

    private function marketplaceOrder(string $sku, array $customer, array $extra = []): string
    {
        // An id of its own: other test classes' sandboxes hand out the same generated ids, and
        // their WooCommerce orders stay on the site.
        $id = $this->skuPrefix() . '-A';
        return $this->sandbox()->console('POST', '/orders', ['order_id' => $id, 'lines' => [['offer_sku' => $sku, 'quantity' => 2]], 'customer' => $customer] + $extra)['order_id'];
    }

    /** Mirakl's own view of the order (OR11). */
    private function miraklOrder(string $miraklId): array
    {
        $answer = $this->sandbox()->api('GET', '/orders?order_ids=' . rawurlencode($miraklId));
        $this->assertCount(1, $answer['orders'] ?? [], json_encode($answer));
        return $answer['orders'][0];
    }

    public function test_country_labels_and_null_codes_give_valid_woocommerce_countries_and_state_codes(): void
    {
        $this->connect();
        $sku = $this->product();
        $label = $this->marketplaceOrder($sku, ['country' => 'France Métropolitaine', 'country_iso_code' => null]);
        $spain = $this->marketplaceOrder($sku, ['country' => 'España', 'country_iso_code' => null, 'state' => 'Barcelona', 'city' => 'Barcelona']);
        $report = $this->tick();
        $this->assertSame(2, $report['jobs']['import_order']['accepted'] ?? 0, json_encode($report['jobs']));

        $order = $this->orderFor($label);
        $this->assertSame('FR', $order->get_shipping_country());
        $this->assertSame('FR', $order->get_billing_country());
        $this->assertArrayHasKey($order->get_shipping_country(), WC()->countries->get_countries(), 'a country WooCommerce knows');
        $order = $this->orderFor($spain);
        $this->assertSame('ES', $order->get_shipping_country());
        $this->assertSame('B', $order->get_shipping_state(), "WooCommerce's own state code for Barcelona");
    }

    public function test_an_unknown_country_label_holds_the_order_until_it_is_mapped_then_retry_creates_it(): void
    {
        $this->connect();
        $sku = $this->product();
        $miraklId = $this->marketplaceOrder($sku, ['country' => 'Métropole & Corse', 'country_iso_code' => null]);
        $report = $this->tick();
        $this->assertSame(1, $report['jobs']['import_order']['held'] ?? 0, json_encode($report['jobs']));
        $this->assertNull($this->orderFor($miraklId), 'no WooCommerce order with a wrong country');
        $this->assertSame('WAITING_ACCEPTANCE', $this->sandbox()->order($miraklId)['state'], 'not accepted');
        $problems = $this->bridge()->problems(['kind' => ProblemKind::COUNTRY, 'state' => 'open']);
        $this->assertCount(1, $problems);
        $this->assertStringContainsString('Métropole & Corse', $problems[0]['message']);
        $this->assertStringContainsString('Country label mapping', (string) $problems[0]['hint']);
        // The dashboard shows it with what to do: the hint and a link to the mapping.
        $admins = get_users(['role' => 'administrator', 'number' => 1, 'orderby' => 'ID']);
        wp_set_current_user($admins[0]->ID);
        try {
            ob_start();
            (new \MiraklConnector\Admin\DashboardPage($this->bridge()))->render();
            $html = (string) ob_get_clean();
        } finally {
            wp_set_current_user(0);
        }
        $this->assertStringContainsString('data-kind="country"', $html);
        $this->assertStringContainsString('Métropole &amp; Corse', $html);
        $this->assertStringContainsString('#mirakl-field-country_label_map', $html);

        // Mapped in the settings (as the settings form saves it), then Retry.
        update_option('mirakl_connector_sync_settings', ['country_label_map' => ['Métropole & Corse' => 'FR']], false);
        $this->bridge()->reset();
        $this->bridge()->retry_problem((int) $problems[0]['id']);
        $report = $this->tick();
        $this->assertSame(1, $report['jobs']['import_order']['accepted'] ?? 0, json_encode($report['jobs']));
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order);
        $this->assertSame('FR', $order->get_shipping_country());
        $this->assertSame('WAITING_DEBIT_PAYMENT', $this->sandbox()->order($miraklId)['state']);
    }

    public function test_a_cancelled_unit_is_refunded_with_mirakls_taxes_and_restocked_once_and_the_totals_are_mirakls_in_tax_excluded_mode(): void
    {
        $this->connect(['order_tax_mode' => 'TAX_EXCLUDED']);
        $sku = $this->product();
        $productId = wc_get_product_id_by_sku($sku);
        $miraklId = $this->marketplaceOrder($sku, ['country' => 'France', 'country_iso_code' => 'FRA']);
        $firstPoll = microtime(true);
        $this->tick();
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order);
        $this->assertSame(18, $this->stockOf($productId));
        $lineId = $this->miraklOrder($miraklId)['order_lines'][0]['order_line_id'];
        $answer = $this->sandbox()->api('PUT', '/orders/cancel', ['cancelations' => [[
            'order_line_id' => $lineId, 'quantity' => 1, 'amount' => '30.00', 'shipping_amount' => '0', 'reason_code' => '34',
        ]]]);
        $this->assertCount(1, $answer['cancelations'] ?? [], json_encode($answer));
        $this->waitUntil($firstPoll, 62);
        $this->tick();
        $order = wc_get_order($order->get_id());
        $this->assertCount(1, $order->get_refunds(), 'the cancelled unit is one refund');
        $this->assertSame(19, $this->stockOf($productId), 'and back in stock');
        $notes = implode("\n", array_map(static fn ($n) => $n->content, wc_get_order_notes(['order_id' => $order->get_id()])));
        $this->assertStringContainsString('Cancelled on the marketplace', $notes);

        // To the cent, tax included, against Mirakl's own TAX_EXCLUDED figures.
        $answer = $this->sandbox()->api('GET', '/orders?order_tax_mode=TAX_EXCLUDED&order_ids=' . rawurlencode($miraklId));
        $line = $answer['orders'][0]['order_lines'][0];
        $taxes = static fn (array $list): float => array_sum(array_map(static fn ($t) => (float) $t['amount'], $list));
        $sold = (float) $line['price'] + $taxes($line['taxes']) + (float) $line['shipping_price'] + $taxes($line['shipping_taxes']);
        $cancelation = $line['cancelations'][0];
        $cancelled = (float) $cancelation['amount'] + $taxes($cancelation['taxes']) + (float) $cancelation['shipping_amount'] + $taxes($cancelation['shipping_taxes']);
        $this->assertSame(wc_format_decimal($sold, 2), wc_format_decimal($order->get_total(), 2));
        $this->assertSame(wc_format_decimal($cancelled, 2), wc_format_decimal($order->get_total_refunded(), 2));
        $this->assertSame(wc_format_decimal($taxes($cancelation['taxes']), 2), wc_format_decimal($order->get_total_tax_refunded(), 2));

        // Seen again: nothing changes.
        $this->tick();
        $this->assertCount(1, wc_get_order($order->get_id())->get_refunds());
        $this->assertSame(19, $this->stockOf($productId));
    }

    public function test_shipping_type_custom_fields_messages_and_a_promotion_with_mirakls_total(): void
    {
        $this->connect(['shipping_method_map' => ['EXPRESS' => 'flat_rate']]);
        $sku = $this->product();
        $miraklId = $this->marketplaceOrder($sku, ['country' => 'France', 'country_iso_code' => 'FRA'], [
            'shipping' => ['type_code' => 'EXPRESS', 'type_label' => 'Express 24h', 'zone_code' => 'FR-IDF', 'zone_label' => 'Île-de-France'],
            'additional_fields' => [
                ['code' => 'gift-message', 'type' => 'TEXTAREA', 'value' => "Bon anniversaire <b>Marie</b> !"],
                ['code' => 'customer-ref', 'type' => 'STRING', 'value' => 'REF-42'],
            ],
            'has_customer_message' => true,
            'line_extras' => [['discount' => '5.00', 'additional_fields' => [['code' => 'engraving', 'type' => 'STRING', 'value' => 'A & B']]]],
        ]);
        $this->tick();
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order);

        $shipping = array_values($order->get_items('shipping'));
        $this->assertCount(1, $shipping);
        $this->assertSame('Express 24h', $shipping[0]->get_method_title());
        $this->assertSame('flat_rate', $shipping[0]->get_method_id());
        $this->assertSame('EXPRESS', $order->get_meta(OrderMeta::SHIPPING_TYPE));
        $this->assertSame('FR-IDF', $order->get_meta(OrderMeta::SHIPPING_ZONE));

        $fields = $order->get_meta(OrderMeta::ADDITIONAL_FIELDS);
        $this->assertSame('REF-42', $fields['customer-ref'] ?? null);
        $this->assertSame('Bon anniversaire Marie !', $fields['gift-message'] ?? null, 'sanitised: no markup');
        $items = array_values($order->get_items('line_item'));
        $this->assertSame('A & B', $items[0]->get_meta(WooShop::LINE_FIELD_PREFIX . 'engraving'));
        $notes = implode("\n", array_map(static fn ($n) => $n->content, wc_get_order_notes(['order_id' => $order->get_id()])));
        $this->assertStringContainsString('Bon anniversaire', $notes);
        $this->assertStringContainsString('message about this order', $notes);
        $box = \MiraklConnector\Admin\OrderScreens::meta_box_html($order, new \MiraklConnector\Admin\EngineReader($this->bridge()));
        $this->assertStringContainsString('customer-ref', $box);
        $this->assertStringContainsString('REF-42', $box);
        $this->assertStringContainsString('EXPRESS', $box);

        // The promotion is WooCommerce's discount; the total is Mirakl's to the cent.
        $mirakl = $this->miraklOrder($miraklId);
        $this->assertEqualsWithDelta(5.00, (float) $mirakl['promotions']['total_deduced_amount'], 0.001);
        $this->assertEqualsWithDelta(5.00, (float) $order->get_discount_total(), 0.001);
        $this->assertSame(number_format((float) $mirakl['total_price'], 2, '.', ''), number_format((float) $order->get_total(), 2, '.', ''));
        $order->calculate_totals(false);
        $this->assertSame(number_format((float) $mirakl['total_price'], 2, '.', ''), number_format((float) $order->get_total(), 2, '.', ''), 'WooCommerce recomputing its totals agrees');
    }
}
