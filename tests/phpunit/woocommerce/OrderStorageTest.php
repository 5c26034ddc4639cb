<?php

namespace MiraklConnector\Tests\WooCommerce;

use Automattic\WooCommerce\Utilities\OrderUtil;
use MiraklConnector\Tests\PluginTestCase;

/**
 * build/test runs this suite twice: orders stored as posts (WooCommerce 7.9's default) and in the
 * HPOS tables (the default from 8.2). This checks each run got the storage it asked for, so the
 * other tests of the suite really cover both.
 */
final class OrderStorageTest extends PluginTestCase
{
    public function test_the_site_uses_the_order_storage_this_run_asked_for(): void
    {
        $expected = getenv('MIRAKL_TEST_ORDER_STORAGE') ?: 'posts';
        $this->assertContains($expected, ['posts', 'hpos']);
        $this->assertSame($expected === 'hpos', OrderUtil::custom_orders_table_usage_is_enabled(), "order storage is $expected");
    }

    public function test_an_order_round_trips_through_the_active_storage(): void
    {
        $order = wc_create_order();
        $order->set_billing_email('buyer@example.com');
        $order->save();
        $this->assertGreaterThan(0, $order->get_id());
        $loaded = wc_get_order($order->get_id());
        $this->assertInstanceOf(\WC_Order::class, $loaded);
        $this->assertSame('buyer@example.com', $loaded->get_billing_email());
        $loaded->delete(true);
    }
}
