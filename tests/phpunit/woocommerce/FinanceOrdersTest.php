<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Finance\FinanceRun;
use MiraklConnector\Shop\WooShop;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * Deletes the marketplace orders a test made, so that the next test class, whose sandbox numbers
 * its orders from SBX000001-A again, never finds one of them under the same Mirakl order id.
 */
trait DeletesMarketplaceOrders
{
    private int $ordersSince = 0;

    protected function rememberOrdersFromNow(): void
    {
        $this->ordersSince = time() - 1;
    }

    protected function deleteMarketplaceOrders(): void
    {
        $orders = wc_get_orders([
            'type' => 'shop_order',
            'status' => array_merge(array_keys(wc_get_order_statuses()), ['trash']),
            'created_via' => WooShop::CREATED_VIA,
            'date_created' => '>=' . $this->ordersSince,
            'limit' => -1,
        ]);
        foreach ($orders as $order) {
            $order->delete(true);
        }
    }
}

/**
 * Finance on real WooCommerce orders made by the connector: the expected side of the matching
 * built from an order with two lines, shipping, taxes and refunds (one made in WooCommerce, one
 * recorded from Mirakl); and the commission posting setting (meta only leaves the order as
 * Mirakl sent it, fee line adds exactly one negative fee line).
 */
final class FinanceOrdersTest extends MarketplaceTestCase
{
    use DeletesMarketplaceOrders;

    private mixed $savedFinance = null;

    protected function setUp(): void
    {
        parent::setUp();
        $this->rememberOrdersFromNow();
        $this->savedFinance = get_option('mirakl_connector_finance_settings', null);
    }

    protected function tearDown(): void
    {
        $this->deleteMarketplaceOrders();
        if ($this->savedFinance === null) {
            delete_option('mirakl_connector_finance_settings');
        } else {
            update_option('mirakl_connector_finance_settings', $this->savedFinance, false);
        }
        parent::tearDown();
    }

    /**
     * A marketplace order as the engine hands it over (tax included, the sandbox's 20 %): two
     * of A at 19.90 with 9.80 shipping, one of B at 30.00 with 4.90 shipping.
     */
    private function draft(string $prefix): array
    {
        $miraklId = "$prefix-ORDER";
        return [
            'mirakl_order_id' => $miraklId,
            'commercial_id' => "$prefix-C",
            'currency' => 'EUR',
            'prices_include_tax' => true,
            'lines' => [
                [
                    'sku' => "$prefix-A", 'quantity' => 2, 'price' => '39.80', 'unit_price' => '19.90', 'tax' => '6.63',
                    'shipping_price' => '9.80', 'shipping_tax' => '1.63', 'commission_fee' => '4.96',
                    'commission_vat' => '0.99', 'commission_total' => '5.95', 'mirakl_order_line_id' => "$miraklId-1",
                ],
                [
                    'sku' => "$prefix-B", 'quantity' => 1, 'price' => '30.00', 'unit_price' => '30.00', 'tax' => '5.00',
                    'shipping_price' => '4.90', 'shipping_tax' => '0.82', 'commission_fee' => '3.49',
                    'commission_vat' => '0.70', 'commission_total' => '4.19', 'mirakl_order_line_id' => "$miraklId-2",
                ],
            ],
            'shipping_total' => '14.70',
            'total' => '84.50',
            'commission_total' => '10.14',
            'customer_first_name' => 'Marie',
            'customer_last_name' => 'Curie',
            'billing_address' => null,
            'shipping_address' => null,
            'status' => 'processing',
        ];
    }

    /** Creates the order through the connector's shop, as a tick would. */
    private function createOrder(array $finance = []): array
    {
        update_option('mirakl_connector_finance_settings', $finance, false);
        $this->bridge()->reset();
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-A", 10, '19.90');
        $this->simpleProduct("$prefix-B", 10, '30.00');
        // With the figures the engine sends: amounts and the fee line of the finance settings.
        $draft = $this->bridge()->order_draft($this->draft($prefix));
        $id = (new WooShop())->create_order($draft);
        return [wc_get_order($id), $draft];
    }

    /** The core's arrays come with their keys sorted: compared key by key. */
    private function byKey(array $figures): array
    {
        ksort($figures);
        return $figures;
    }

    private function lineItem(\WC_Order $order, string $lineId): \WC_Order_Item_Product
    {
        foreach ($order->get_items('line_item') as $item) {
            if ($item->get_meta('_mirakl_order_line_id') === $lineId) {
                return $item;
            }
        }
        $this->fail("no item for line $lineId");
    }

    public function test_the_expected_order_has_each_line_s_amounts_without_tax_its_shipping_split_as_mirakl_did_and_the_refunds(): void
    {
        [$order, $draft] = $this->createOrder();
        $miraklId = $draft['mirakl_order_id'];
        $itemA = $this->lineItem($order, "$miraklId-1");
        $shippingItems = $order->get_items('shipping');
        $shipping = reset($shippingItems);
        $rate = array_key_first($itemA->get_taxes()['total']);

        // A partial refund made in WooCommerce: one A and the A part of the shipping.
        $refund = wc_create_refund([
            'order_id' => $order->get_id(),
            'amount' => '24.80',
            'reason' => 'one unit back',
            'line_items' => [
                $itemA->get_id() => ['qty' => 1, 'refund_total' => '16.58', 'refund_tax' => [$rate => '3.32']],
                $shipping->get_id() => ['qty' => 0, 'refund_total' => '4.08', 'refund_tax' => [$rate => '0.82']],
            ],
            'refund_payment' => false,
            'restock_items' => false,
        ]);
        $this->assertInstanceOf(\WC_Order_Refund::class, $refund);
        // A refund made on Mirakl and recorded by the connector: B in full.
        $fromMirakl = (new WooShop())->record_marketplace_refund($order->get_id(), [
            'mirakl_refund_id' => 'R-77', 'mirakl_order_line_id' => "$miraklId-2", 'sku' => $draft['lines'][1]['sku'],
            'quantity' => 1, 'amount' => '30.00', 'shipping_amount' => '0', 'reason_code' => '15',
        ]);

        // WooCommerce's figures as they stand, folded in by the core.
        $report = FinanceRun::report(wc_get_order($order->get_id()));
        $this->assertSame(1, $this->bridge()->finance_shop_orders([$report])['recorded']);
        $expected = $this->bridge()->finance_expected_order($miraklId);

        $this->assertSame($miraklId, $expected['mirakl_order_id']);
        $this->assertSame($order->get_id(), $expected['wc_order_id']);
        $this->assertSame('EUR', $expected['currency']);
        $this->assertFalse($expected['cancelled']);
        $lines = array_column($expected['lines'], null, 'mirakl_order_line_id');
        $this->assertSame(
            $this->byKey(['mirakl_order_line_id' => "$miraklId-1", 'amount' => '33.17', 'shipping' => '8.17', 'tax' => '6.63', 'shipping_tax' => '1.63', 'commission_fee' => '4.96', 'commission_vat' => '0.99']),
            $this->byKey($lines["$miraklId-1"])
        );
        $this->assertSame(
            $this->byKey(['mirakl_order_line_id' => "$miraklId-2", 'amount' => '25.00', 'shipping' => '4.08', 'tax' => '5.00', 'shipping_tax' => '0.82', 'commission_fee' => '3.49', 'commission_vat' => '0.70']),
            $this->byKey($lines["$miraklId-2"])
        );
        $refunds = array_column($expected['refunds'], null, 'wc_refund_id');
        $this->assertSame(
            $this->byKey(['wc_refund_id' => $refund->get_id(), 'mirakl_refund_ids' => [], 'amount' => '16.58', 'shipping' => '4.08', 'tax' => '3.32', 'shipping_tax' => '0.82']),
            $this->byKey($refunds[$refund->get_id()])
        );
        $this->assertSame(
            $this->byKey(['wc_refund_id' => $fromMirakl, 'mirakl_refund_ids' => ['R-77'], 'amount' => '25.00', 'shipping' => '0.00', 'tax' => '5.00', 'shipping_tax' => '0.00']),
            $this->byKey($refunds[$fromMirakl])
        );

        // An order edited in WooCommerce is sent again.
        $this->assertContains($order->get_id(), FinanceRun::changed_since(time() - 120));
        $this->assertNotContains($order->get_id(), FinanceRun::changed_since(time() + 3600));
    }

    public function test_a_first_run_over_more_orders_than_one_run_reads_goes_on_where_it_stopped(): void
    {
        $this->createOrder();
        $this->createOrder();
        $all = count(FinanceRun::changed_since(0));
        $limit = static fn () => $all - 1;
        add_filter('mirakl_connector_finance_orders_per_run', $limit);
        try {
            $run = new FinanceRun($this->bridge());
            $this->assertSame($all - 1, $run->record_expected());
            $this->assertTrue($run->has_backlog(), 'orders are left for the next run');
            $this->assertSame(1, $run->record_expected());
            $this->assertFalse($run->has_backlog());
        } finally {
            remove_filter('mirakl_connector_finance_orders_per_run', $limit);
            delete_option(FinanceRun::OPTION_EXPECTED_SINCE);
        }
    }

    public function test_a_cancelled_order_is_expected_cancelled_and_other_orders_are_not_expected(): void
    {
        [$order] = $this->createOrder();
        $order->update_status('cancelled');
        $this->assertTrue(FinanceRun::report(wc_get_order($order->get_id()))['cancelled']);
        $this->bridge()->finance_shop_orders([FinanceRun::report(wc_get_order($order->get_id()))]);
        $this->assertTrue($this->bridge()->finance_expected_order($order->get_meta(WooShop::META_ORDER_ID))['cancelled']);

        $plain = wc_create_order();
        $this->assertNull(FinanceRun::report($plain));
        $this->assertNotContains($plain->get_id(), FinanceRun::changed_since(0));
    }

    public function test_shipping_without_the_marketplace_split_is_shared_by_quantity_to_the_cent(): void
    {
        $this->assertSame(['6.67', '3.33'], $this->shippingShares('10.00', [2, 1]));
        $this->assertSame(['3.34', '3.33', '3.33'], $this->shippingShares('10.00', [1, 1, 1]));
        $this->assertSame(['8.17', '4.08'], $this->shippingShares('12.25', [1, 1], ['8.17', '4.08']));
        $this->assertSame(['0.00', '0.00'], $this->shippingShares('0', [0, 0]));
    }

    /**
     * How the core shares an order's one shipping line among its lines: by the marketplace's
     * split when the line meta holds it, else by quantity.
     *
     * @param int[]         $quantities The lines' quantities.
     * @param string[]|null $split      The lines' shipping as the marketplace split it.
     * @return string[] Each line's shipping.
     */
    private function shippingShares(string $shipping, array $quantities, ?array $split = null): array
    {
        $miraklId = $this->skuPrefix() . '-SPLIT-' . count($quantities) . '-' . $shipping;
        $lines = [];
        foreach ($quantities as $index => $quantity) {
            $lines[] = [
                'mirakl_order_line_id' => "$miraklId-$index", 'quantity' => $quantity, 'amount' => '0', 'tax' => '0',
                'shipping' => $split[$index] ?? null,
            ];
        }
        $this->bridge()->finance_shop_orders([[
            'mirakl_order_id' => $miraklId, 'wc_order_id' => 900_000_000 + crc32($miraklId) % 1_000_000, 'currency' => 'EUR',
            'total' => $shipping, 'lines' => $lines, 'shipping' => [['amount' => $shipping, 'tax' => '0']],
        ]]);
        return array_column($this->bridge()->finance_expected_order($miraklId)['lines'], 'shipping');
    }

    public function test_meta_only_leaves_the_order_as_mirakl_sent_it(): void
    {
        [$order, $draft] = $this->createOrder(['commission_posting' => 'meta_only']);
        $order = wc_get_order($order->get_id());
        $this->assertCount(0, $order->get_items('fee'), 'no fee line');
        $this->assertSame('84.50', $order->get_total(), 'the total is what the customer paid on the marketplace');
        $this->assertSame('10.14', $order->get_meta('_mirakl_commission_total'));
        $item = $this->lineItem($order, $draft['lines'][0]['mirakl_order_line_id']);
        $this->assertSame('4.96', $item->get_meta('_mirakl_commission_fee'));
        $this->assertSame('0.99', $item->get_meta('_mirakl_commission_vat'));
        $this->assertSame('5.95', $item->get_meta('_mirakl_commission_total'));
    }

    public function test_fee_line_adds_exactly_one_negative_fee_line_worth_the_commission_and_its_vat(): void
    {
        [$order, $draft] = $this->createOrder(['commission_posting' => 'fee_line', 'commission_fee_line_name' => 'Marketplace commission']);
        $order = wc_get_order($order->get_id());
        $fees = array_values($order->get_items('fee'));
        $this->assertCount(1, $fees);
        $this->assertSame('Marketplace commission', $fees[0]->get_name());
        $this->assertEqualsWithDelta(-10.14, (float) $fees[0]->get_total(), 0.0001);
        $this->assertEqualsWithDelta(0.0, (float) $fees[0]->get_total_tax(), 0.0001);
        $this->assertSame('8.45', $fees[0]->get_meta('_mirakl_commission_fee'));
        $this->assertSame('1.69', $fees[0]->get_meta('_mirakl_commission_vat'));
        $this->assertEqualsWithDelta(84.50 - 10.14, (float) $order->get_total(), 0.0001, 'the total is net of the commission');
        $this->assertEqualsWithDelta(14.70 - 2.45, (float) $order->get_shipping_total(), 0.0001, 'shipping untouched');
        $this->assertEqualsWithDelta(6.63 + 5.00, (float) $order->get_cart_tax(), 0.0001, 'taxes untouched');

        // Once only, and the fee line is never part of what the matching expects (though it is
        // part of WooCommerce's total, which still adds up).
        $this->assertCount(1, wc_get_order($order->get_id())->get_items('fee'));
        $reported = $this->bridge()->finance_shop_orders([FinanceRun::report(wc_get_order($order->get_id()))]);
        $this->assertSame(0, $reported['total_mismatches']);
        $expected = $this->bridge()->finance_expected_order($draft['mirakl_order_id']);
        $this->assertSame(['33.17', '25.00'], array_column($expected['lines'], 'amount'));
    }
}
