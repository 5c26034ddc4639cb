<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Shop\WooShop;
use MiraklConnector\Tests\MarketplaceTestCase;

/**
 * The stock and product hooks: changes collected per request (last value wins) and handed to
 * the engine once; variations whose stock the parent manages follow the parent; tracking written
 * straight into post meta by a shipment-tracking plugin is seen (posts storage).
 */
final class CatalogueHooksTest extends MarketplaceTestCase
{
    public function test_stock_changes_are_coalesced_per_sku_and_handed_over_once(): void
    {
        $prefix = $this->skuPrefix();
        $product = $this->simpleProduct("$prefix-S", 10);
        $this->changes()->flush();
        wc_update_product_stock($product, 9, 'set');
        wc_update_product_stock($product, 8, 'set');
        wc_update_product_stock($product, 1, 'decrease');
        $this->assertSame(["$prefix-S" => 7], $this->changes()->pending()['stock']);
        $before = $this->bridge()->health()['queue']['pending'] ?? null;
        $this->changes()->flush();
        $this->assertTrue($this->changes()->is_empty());
        $this->assertNotNull($before);
        $this->assertSame(
            [['sku' => "$prefix-S", 'quantity' => 7]],
            (new WooShop())->read_stock(["$prefix-S"]),
            'what the engine will read back is what the hook saw'
        );
    }

    public function test_variations_whose_stock_the_parent_manages_follow_the_parent(): void
    {
        $prefix = $this->skuPrefix();
        $shirt = $this->variableProduct("$prefix-V", ['M' => 1]);
        $parent = wc_get_product($shirt['parent']->get_id());
        $variation = wc_get_product($shirt['variations']['M']->get_id());
        $variation->set_manage_stock('parent');
        $variation->save();
        $parent->set_manage_stock(true);
        $parent->set_stock_quantity(12);
        $parent->save();
        $this->changes()->flush();

        wc_update_product_stock(wc_get_product($parent->get_id()), 11, 'set');
        $pending = $this->changes()->pending()['stock'];
        $this->assertSame(11, $pending["$prefix-V-M"] ?? null, json_encode($pending));
        $this->assertSame([['sku' => "$prefix-V-M", 'quantity' => 11]], (new WooShop())->read_stock(["$prefix-V-M"]));
    }

    public function test_saving_a_product_marks_its_offer_changed(): void
    {
        $prefix = $this->skuPrefix();
        $product = $this->simpleProduct("$prefix-S", 3);
        $this->changes()->flush();
        $product = wc_get_product($product->get_id());
        $product->set_regular_price('21.00');
        $product->save();
        $this->assertSame(["$prefix-S"], $this->changes()->pending()['products']);
    }

    public function test_tracking_written_by_a_tracking_plugin_is_seen_in_either_storage(): void
    {
        $prefix = $this->skuPrefix();
        $this->simpleProduct("$prefix-S", 3);
        $id = (new WooShop())->create_order([
            'mirakl_order_id' => "MO-$prefix", 'commercial_id' => null, 'currency' => 'EUR', 'prices_include_tax' => true,
            'lines' => [['sku' => "$prefix-S", 'quantity' => 1, 'price' => '10', 'unit_price' => '10', 'tax' => '1.67',
                'shipping_price' => '0', 'shipping_tax' => '0', 'commission_fee' => '0', 'commission_vat' => '0',
                'commission_total' => '0', 'mirakl_order_line_id' => 'L1']],
            'shipping_total' => '0', 'total' => '10', 'commission_total' => '0', 'customer_first_name' => null,
            'customer_last_name' => null, 'billing_address' => null, 'shipping_address' => null, 'status' => 'processing',
        ]);
        $this->changes()->flush();
        if (\Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled()) {
            // In HPOS an order is no post: such plugins write through the order, seen on save.
            $order = wc_get_order($id);
            $order->update_meta_data('ywot_tracking_code', 'YT123');
            $order->update_meta_data('ywot_carrier_name', 'GLS');
            $order->save();
        } else {
            update_post_meta($id, 'ywot_tracking_code', 'YT123');
            update_post_meta($id, 'ywot_carrier_name', 'GLS');
        }
        $this->assertContains($id, $this->changes()->pending()['shipped']);
        $this->assertSame(['carrier' => 'GLS', 'tracking_number' => 'YT123', 'tracking_url' => null], (new WooShop())->read_tracking($id));
    }
}
