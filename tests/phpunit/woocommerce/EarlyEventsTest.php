<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Admin\EngineReader;
use MiraklConnector\Admin\OrderScreens;
use MiraklConnector\Native\JobKind;
use MiraklConnector\Shop\WooShop;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * Events reach the core before the request ends: a request that dies after the WooCommerce
 * action (a fatal error, a killed worker: `shutdown` never runs) loses no shipment, refund or
 * stock change. Simulated by calling WooCommerce as a request would, then dropping the change
 * map without its flush.
 */
final class EarlyEventsTest extends MarketplaceTestCase
{
    /** What a request killed before `shutdown` does with the events it collected: nothing. */
    private function dieBeforeShutdown(): void
    {
        $changes = $this->changes();
        $reflection = new \ReflectionObject($changes);
        foreach (['stock', 'products', 'shipped', 'refunds', 'written'] as $property) {
            $field = $reflection->getProperty($property);
            $field->setAccessible(true);
            $field->setValue($changes, []);
        }
        $this->assertTrue($changes->is_empty());
    }

    private function waiting(string $kind): int
    {
        foreach ((array) ($this->bridge()->health()['queue']['by_kind'] ?? []) as $stats) {
            if (($stats['kind'] ?? '') === $kind) {
                return (int) $stats['pending'] + (int) $stats['leased'];
            }
        }
        return 0;
    }

    private function marketplaceOrder(string $prefix): int
    {
        $this->simpleProduct("$prefix-S", 10);
        return (new WooShop())->create_order([
            'mirakl_order_id' => "MO-$prefix", 'commercial_id' => null, 'currency' => 'EUR', 'prices_include_tax' => true,
            'lines' => [['sku' => "$prefix-S", 'quantity' => 2, 'price' => '20', 'unit_price' => '10', 'tax' => '3.33',
                'shipping_price' => '0', 'shipping_tax' => '0', 'commission_fee' => '0', 'commission_vat' => '0',
                'commission_total' => '0', 'mirakl_order_line_id' => 'L1']],
            'shipping_total' => '0', 'total' => '20', 'commission_total' => '0', 'customer_first_name' => null,
            'customer_last_name' => null, 'billing_address' => null, 'shipping_address' => null, 'status' => 'processing',
        ]);
    }

    private function refundOneUnit(int $orderId): \WC_Order_Refund
    {
        $order = wc_get_order($orderId);
        $items = array_values($order->get_items('line_item'));
        $refund = wc_create_refund([
            'order_id' => $orderId,
            'amount' => '10.00',
            'reason' => 'one returned',
            'line_items' => [$items[0]->get_id() => ['qty' => 1, 'refund_total' => '10.00', 'refund_tax' => []]],
        ]);
        $this->assertInstanceOf(\WC_Order_Refund::class, $refund, is_wp_error($refund) ? $refund->get_error_message() : '');
        return $refund;
    }

    public function test_a_shipment_and_a_refund_are_queued_although_the_request_dies_before_shutdown(): void
    {
        $this->connect();
        $id = $this->marketplaceOrder($this->skuPrefix());
        $this->changes()->flush();
        $this->assertSame(0, $this->waiting(JobKind::SHIP_ORDER));

        $this->refundOneUnit($id);
        $order = wc_get_order($id);
        $order->update_status('completed');
        $this->dieBeforeShutdown();

        $this->assertSame(1, $this->waiting(JobKind::SHIP_ORDER), 'the completed order is queued for shipping');
        $this->assertSame(1, $this->waiting(JobKind::REFUND_ORDER), 'the refund is queued to be sent');
    }

    public function test_stock_an_order_took_is_recorded_at_the_end_of_the_stock_change(): void
    {
        $this->connect();
        $prefix = $this->skuPrefix();
        $product = $this->simpleProduct("$prefix-B", 10);
        $this->changes()->flush();
        $checkout = wc_create_order();
        $checkout->add_product(wc_get_product($product->get_id()), 3);
        $checkout->set_billing_email('shopper@example.com');
        $checkout->calculate_totals();
        $checkout->payment_complete();
        $this->assertSame(7, $this->stockOf($product->get_id()));
        $this->dieBeforeShutdown();

        $status = $this->bridge()->sku_status("$prefix-B");
        $this->assertIsArray($status);
        $this->assertSame(7, $status['shop_quantity'] ?? null);
        $this->assertTrue((bool) ($status['dirty'] ?? false), 'the SKU waits for the next stock push');
    }

    public function test_an_event_written_early_is_not_written_again_at_shutdown_and_the_map_still_lists_it(): void
    {
        $this->connect();
        $id = $this->marketplaceOrder($this->skuPrefix());
        $refund = $this->refundOneUnit($id);
        $this->assertSame([$refund->get_id()], $this->changes()->pending()['refunds'], 'collected for the request');
        $this->assertSame(1, $this->waiting(JobKind::REFUND_ORDER));
        $this->changes()->flush();
        $this->assertSame(1, $this->waiting(JobKind::REFUND_ORDER), 'one job per refund');
        $this->assertTrue($this->changes()->is_empty());
    }

    public function test_the_order_box_lists_refunds_waiting_to_be_sent(): void
    {
        $this->connect();
        $id = $this->marketplaceOrder($this->skuPrefix());
        $refund = $this->refundOneUnit($id);
        $html = OrderScreens::meta_box_html(wc_get_order($id), new EngineReader($this->bridge()));
        $this->assertStringContainsString('Refunds waiting to be sent', $html);
        $this->assertStringContainsString(sprintf('refund #%d: queued', $refund->get_id()), $html);
    }
}
