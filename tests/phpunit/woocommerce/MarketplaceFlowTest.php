<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Shop\WooShop;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * End to end against the Mirakl sandbox, with the runner ticking inside this WordPress: a
 * marketplace order becomes a WooCommerce order and is accepted; debit turns it to processing;
 * a refund made on the marketplace appears once; completion with tracking ships it with the
 * mapped carrier; a partial WooCommerce refund becomes one OR28 with the line's amount; stock
 * changed in WooCommerce (an admin edit and a checkout) reaches the marketplace.
 *
 * The engine allows one OR11 a minute per state file, as Mirakl does: each test has its own
 * state file, and the lifecycle test waits for the next slot where it needs another poll.
 */
final class MarketplaceFlowTest extends MarketplaceTestCase
{
    /** @return array{prefix: string, simple: \WC_Product_Simple, variation: \WC_Product_Variation} */
    private function catalogue(): array
    {
        $prefix = $this->skuPrefix();
        $simple = $this->simpleProduct("$prefix-S", 10, '19.90');
        $shirt = $this->variableProduct("$prefix-V", ['M' => 5, 'L' => 5], '30.00');
        $this->sandbox()->console('POST', '/offers', [
            ['sku' => "$prefix-S", 'price' => '19.90', 'quantity' => 10],
            ['sku' => "$prefix-V-L", 'price' => '30.00', 'quantity' => 5],
        ]);
        return ['prefix' => $prefix, 'simple' => $simple, 'variation' => $shirt['variations']['L']];
    }

    private function marketplaceOrder(string $prefix): string
    {
        return $this->sandbox()->console('POST', '/orders', ['lines' => [
            ['offer_sku' => "$prefix-S", 'quantity' => 2],
            ['offer_sku' => "$prefix-V-L", 'quantity' => 1],
        ]])['order_id'];
    }

    /** The sandbox line of a SKU in a sandbox order. */
    private function sandboxLine(array $order, string $sku): array
    {
        foreach ($order['lines'] as $line) {
            if ($line['offer_sku'] === $sku) {
                return $line;
            }
        }
        $this->fail("no line $sku in sandbox order {$order['order_id']}");
    }

    public function test_a_marketplace_order_becomes_a_woocommerce_order_with_its_lines_prices_taxes_addresses_and_stock_and_is_accepted(): void
    {
        $this->connect();
        $c = $this->catalogue();
        $miraklId = $this->marketplaceOrder($c['prefix']);
        $report = $this->tick();

        $this->assertSame(1, $report['jobs']['import_order']['accepted'] ?? 0, json_encode($report['jobs']));
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order, 'the WooCommerce order exists');
        $sandboxOrder = $this->sandbox()->order($miraklId);
        $this->assertSame('WAITING_DEBIT_PAYMENT', $sandboxOrder['state'], 'accepted on the marketplace');

        $items = array_values($order->get_items('line_item'));
        $this->assertCount(2, $items);
        $bySku = [];
        foreach ($items as $item) {
            $bySku[$item->get_meta('_mirakl_sku')] = $item;
        }
        $simpleItem = $bySku["{$c['prefix']}-S"];
        $variationItem = $bySku["{$c['prefix']}-V-L"];
        $this->assertSame($c['simple']->get_id(), $simpleItem->get_product_id());
        $this->assertSame($c['variation']->get_id(), $variationItem->get_variation_id());
        $this->assertSame(2, $simpleItem->get_quantity());
        // 2 × 19.90 tax included at the sandbox's 20 %: 33.17 + 6.63.
        $this->assertEqualsWithDelta(33.17, (float) $simpleItem->get_total(), 0.001);
        $this->assertEqualsWithDelta(6.63, (float) $simpleItem->get_total_tax(), 0.001);
        $this->assertEqualsWithDelta(25.00, (float) $variationItem->get_total(), 0.001);
        $this->assertEqualsWithDelta(5.00, (float) $variationItem->get_total_tax(), 0.001);
        $this->assertSame($this->sandboxLine($sandboxOrder, "{$c['prefix']}-S")['order_line_id'], $simpleItem->get_meta('_mirakl_order_line_id'));
        $this->assertGreaterThan(0, (float) $simpleItem->get_meta('_mirakl_commission_total'));
        // Totals: what the customer paid on the marketplace, shipping included.
        $paid = 0.0;
        $shippingPaid = 0.0;
        foreach ($sandboxOrder['lines'] as $line) {
            $paid += $line['unit_price'] * $line['quantity'] + $line['shipping_price'];
            $shippingPaid += $line['shipping_price'];
        }
        $this->assertGreaterThan(0, $shippingPaid);
        $this->assertEqualsWithDelta($paid, (float) $order->get_total(), 0.001);
        $this->assertEqualsWithDelta($shippingPaid, (float) $order->get_shipping_total() + (float) $order->get_shipping_tax(), 0.001);

        $this->assertSame('on-hold', $order->get_status());
        $this->assertSame('Marie', $order->get_billing_first_name());
        $this->assertSame('FR', $order->get_shipping_country());
        $this->assertSame('Paris', $order->get_shipping_city());
        $this->assertSame($sandboxOrder['commercial_id'], $order->get_meta('_mirakl_commercial_id'));
        $this->assertStringStartsWith('Mirakl (', $order->get_payment_method_title());
        $this->assertSame(8, $this->stockOf($c['simple']->get_id()));
        $this->assertSame(4, $this->stockOf($c['variation']->get_id()));

        // Another tick neither duplicates the order nor accepts it again.
        $this->tick();
        $this->assertCount(1, wc_get_orders(['limit' => -1, 'return' => 'ids', 'meta_key' => '_mirakl_order_id', 'meta_value' => $miraklId]));
    }

    public function test_debit_refund_on_the_marketplace_shipping_with_tracking_and_a_partial_woocommerce_refund(): void
    {
        $this->connect(['carrier_map' => ['DHL Express' => 'DHL']]);
        $c = $this->catalogue();
        $simpleSku = "{$c['prefix']}-S";
        $variationSku = "{$c['prefix']}-V-L";
        $miraklId = $this->marketplaceOrder($c['prefix']);
        $firstPoll = microtime(true);
        $report = $this->tick();
        $order = $this->orderFor($miraklId);
        $this->assertNotNull($order, json_encode($report) . json_encode($this->bridge()->problems([])));

        // The customer is debited, and the operator refunds the shirt on the marketplace.
        $this->sandbox()->console('POST', "/orders/$miraklId/debit");
        $shirtLine = $this->sandboxLine($this->sandbox()->order($miraklId), $variationSku);
        $this->sandbox()->api('PUT', '/orders/refund', ['order_tax_mode' => 'TAX_INCLUDED', 'refunds' => [[
            'order_line_id' => $shirtLine['order_line_id'], 'amount' => '30.00', 'shipping_amount' => '0',
            'quantity' => 1, 'reason_code' => '15', 'currency_iso_code' => 'EUR',
        ]]]);
        $this->waitUntil($firstPoll, 62);
        $secondPoll = microtime(true);
        $this->tick();
        $order = wc_get_order($order->get_id());
        $this->assertSame('processing', $order->get_status(), 'SHIPPING on the marketplace is processing in WooCommerce');
        $refunds = $order->get_refunds();
        $this->assertCount(1, $refunds, 'the marketplace refund was recorded');
        $this->assertEqualsWithDelta(30.00, (float) $refunds[0]->get_amount(), 0.001);
        $this->assertNotSame('', $refunds[0]->get_meta('_mirakl_refund_id'));
        $this->tick();
        $this->assertCount(1, wc_get_order($order->get_id())->get_refunds(), 'recorded once');

        // Completed with tracking: shipped on the marketplace with the mapped carrier code.
        $order = wc_get_order($order->get_id());
        $order->update_meta_data('_mirakl_carrier', 'DHL Express');
        $order->update_meta_data('_mirakl_tracking_number', 'JD014600006281');
        $order->save();
        $order->update_status('completed');
        $this->assertContains($order->get_id(), $this->changes()->pending()['shipped']);
        $report = $this->tick();
        $sandboxOrder = $this->sandbox()->order($miraklId);
        $this->assertSame('SHIPPED', $sandboxOrder['state'], json_encode($report));
        $this->assertSame('DHL', $sandboxOrder['tracking']['carrier_code'] ?? null, json_encode($sandboxOrder['tracking']));
        $this->assertSame('JD014600006281', $sandboxOrder['tracking']['tracking_number'] ?? null);

        // A partial refund in WooCommerce: one of the two units of the simple product.
        $item = null;
        foreach ($order->get_items('line_item') as $candidate) {
            if ($candidate->get_meta('_mirakl_sku') === $simpleSku) {
                $item = $candidate;
            }
        }
        $rate = array_key_first($item->get_taxes()['total']);
        $refund = wc_create_refund([
            'order_id' => $order->get_id(), 'amount' => '19.90', 'reason' => 'one arrived broken',
            'line_items' => [$item->get_id() => ['qty' => 1, 'refund_total' => '16.58', 'refund_tax' => [$rate => '3.32']]],
        ]);
        $this->assertFalse(is_wp_error($refund));
        $this->waitUntil($secondPoll, 62);
        $report = $this->tick();
        $this->assertSame(1, $report['api_calls']['OR28'] ?? 0, json_encode($report));
        $line = $this->sandboxLine($this->sandbox()->order($miraklId), $simpleSku);
        $this->assertCount(1, $line['refunds']);
        $this->assertEqualsWithDelta(19.90, (float) $line['refunds'][0]['amount_included'], 0.001);
        $this->assertSame(1, (int) $line['refunds'][0]['quantity']);
        $report = $this->tick();
        $this->assertArrayNotHasKey('OR28', $report['api_calls'], 'sent once');
        $this->assertCount(2, wc_get_order($order->get_id())->get_refunds(), 'our own refund was not mirrored back');
    }

    public function test_stock_set_by_an_admin_edit_and_by_a_checkout_reaches_the_marketplace_within_two_ticks(): void
    {
        $this->connect();
        $prefix = $this->skuPrefix();
        $edited = $this->simpleProduct("$prefix-A", 10);
        $bought = $this->simpleProduct("$prefix-B", 10);
        $this->sandbox()->console('POST', '/offers', [
            ['sku' => "$prefix-A", 'price' => '19.90', 'quantity' => 10],
            ['sku' => "$prefix-B", 'price' => '19.90', 'quantity' => 10],
        ]);
        $this->changes()->flush();

        // The admin edits the stock on the product screen.
        $product = wc_get_product($edited->get_id());
        $product->set_stock_quantity(4);
        $product->save();
        // A shopper checks out three of the other one.
        $checkout = wc_create_order();
        $checkout->add_product(wc_get_product($bought->get_id()), 3);
        $checkout->set_billing_email('shopper@example.com');
        $checkout->calculate_totals();
        $checkout->payment_complete();
        $this->assertSame(7, $this->stockOf($bought->get_id()));
        $this->assertSame(["$prefix-A" => 4, "$prefix-B" => 7], $this->changes()->pending()['stock']);

        $quantities = [];
        for ($tick = 1; $tick <= 2; $tick++) {
            $this->tick();
            $quantities = [];
            foreach ($this->sandbox()->state()['offers'] as $offer) {
                $quantities[$offer['shop_sku']] = $offer['quantity'];
            }
            if ($quantities["$prefix-A"] === 4 && $quantities["$prefix-B"] === 7) {
                break;
            }
        }
        $this->assertSame(4, $quantities["$prefix-A"]);
        $this->assertSame(7, $quantities["$prefix-B"]);
    }

    public function test_a_failure_in_a_hook_never_reaches_woocommerce(): void
    {
        // A broken sync setting makes the engine unbuildable: the stock event is logged, the save works.
        update_option('mirakl_connector_sync_settings', ['stock_buffer' => -1], false);
        $this->bridge()->reset();
        $product = $this->simpleProduct($this->skuPrefix() . '-X', 3);
        $product->set_stock_quantity(2);
        $product->save();
        $this->changes()->flush();
        $this->assertTrue($this->changes()->is_empty());
        $this->assertSame(2, $this->stockOf($product->get_id()));
    }

    /** A one-line marketplace order of SKU "$prefix-S" without addresses, as the engine may send it. */
    private function oneLineDraft(string $prefix): array
    {
        return [
            'mirakl_order_id' => "MO-$prefix", 'commercial_id' => null, 'currency' => 'EUR', 'prices_include_tax' => true,
            'lines' => [['sku' => "$prefix-S", 'quantity' => 1, 'price' => '10', 'unit_price' => '10', 'tax' => '1.67',
                'shipping_price' => '0', 'shipping_tax' => '0', 'commission_fee' => '0', 'commission_vat' => '0',
                'commission_total' => '0', 'mirakl_order_line_id' => 'L1']],
            'shipping_total' => '0', 'total' => '10', 'commission_total' => '0', 'customer_first_name' => null,
            'customer_last_name' => null, 'billing_address' => null, 'shipping_address' => null, 'status' => 'on-hold',
        ];
    }

    public function test_the_engine_own_status_changes_are_not_echoed_back_as_shipments(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $shop = new WooShop();
        $id = $shop->create_order($this->oneLineDraft($prefix));
        $this->assertSame('', wc_get_order($id)->get_billing_country(), 'an order may come without addresses');
        $shop->set_order_status($id, 'completed');
        $this->assertNotContains($id, $this->changes()->pending()['shipped']);
        $order = wc_get_order($id);
        $order->update_status('processing');
        $order->update_status('completed');
        $this->assertContains($id, $this->changes()->pending()['shipped'], 'the merchant completing it is a shipment');

        $plain = wc_create_order();
        $plain->update_status('completed');
        $this->assertNotContains($plain->get_id(), $this->changes()->pending()['shipped'], 'a shop order is none of the connector\'s business');
    }

    public function test_customer_emails_of_marketplace_orders_are_not_sent_unless_allowed(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 5);
        $id = (new WooShop())->create_order($this->oneLineDraft($prefix));
        $order = wc_get_order($id);
        $order->set_billing_email('relay-123@marketplace.invalid');
        $order->save();
        $emails = WC()->mailer()->get_emails();
        $email = $emails['WC_Email_Customer_Completed_Order'];
        $email->object = $order;
        $email->recipient = $order->get_billing_email();
        $this->assertSame('', $email->get_recipient());
        update_option('mirakl_connector_shop_settings', ['send_customer_emails' => true], false);
        $this->assertSame('relay-123@marketplace.invalid', $email->get_recipient());
    }

    public function test_the_runner_is_scheduled_every_minute_with_a_budget_under_the_time_limit(): void
    {
        $this->assertNotFalse(wp_next_scheduled('mirakl_connector_tick'));
        $this->assertSame('mirakl_connector_every_minute', wp_get_schedule('mirakl_connector_tick'));
        $this->assertSame(60, wp_get_schedules()['mirakl_connector_every_minute']['interval']);
        $limit = ini_get('max_execution_time');
        try {
            ini_set('max_execution_time', '30');
            $this->assertSame(10000, \MiraklConnector\Runner\Runner::current()->budget_ms());
            ini_set('max_execution_time', '0');
            $this->assertSame(50000, \MiraklConnector\Runner\Runner::current()->budget_ms());
        } finally {
            ini_set('max_execution_time', (string) $limit);
        }
    }
}
