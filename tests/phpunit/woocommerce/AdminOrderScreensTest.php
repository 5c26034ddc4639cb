<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\EngineReader;
use MiraklConnector\Admin\OrderMeta;
use MiraklConnector\Admin\OrderScreens;
use MiraklConnector\Native\Bridge;
use MiraklConnector\Tests\PluginTestCase;

/**
 * The order screens in either order storage: the Mirakl box on marketplace orders only, its
 * tracking fields saved only with their nonce by someone who may edit orders, the orders-list
 * filter, and dashboard links to the WooCommerce order of a Mirakl order.
 */
final class AdminOrderScreensTest extends PluginTestCase
{
    /** @var \WC_Order[] */
    private array $orders = [];
    private array $saved = [];
    private int $user = 0;

    protected function setUp(): void
    {
        $this->saved = [$_POST, $_GET, $_REQUEST];
        $this->user = wp_insert_user(['user_login' => 'orders-' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'shop_manager']);
        wp_set_current_user($this->user);
    }

    protected function tearDown(): void
    {
        [$_POST, $_GET, $_REQUEST] = $this->saved;
        foreach ($this->orders as $order) {
            $order->delete(true);
        }
        wp_set_current_user(0);
        require_once ABSPATH . 'wp-admin/includes/user.php';
        wp_delete_user($this->user);
    }

    private function marketplaceOrder(string $miraklId): \WC_Order
    {
        $order = wc_create_order();
        $order->update_meta_data(OrderMeta::MIRAKL_ORDER_ID, $miraklId);
        $order->update_meta_data(OrderMeta::COMMERCIAL_ID, 'C-' . $miraklId);
        $order->update_meta_data(OrderMeta::COMMISSION_TOTAL, '2.98');
        $order->save();
        return $this->orders[] = $order;
    }

    public function test_the_box_shows_the_mirakl_order_and_its_tracking_fields(): void
    {
        $order = $this->marketplaceOrder('SBX-BOX-1');
        $html = OrderScreens::meta_box_html($order, new EngineReader(new Bridge())) . OrderScreens::tracking_fields_html($order);
        $this->assertStringContainsString('SBX-BOX-1', $html);
        $this->assertStringContainsString('C-SBX-BOX-1', $html);
        $this->assertStringContainsString('2.98', $html);
        $this->assertStringContainsString('name="mirakl_tracking_number"', $html);
        $this->assertStringContainsString('name="mirakl_tracking_nonce"', $html);
    }

    public function test_the_box_is_added_to_marketplace_orders_only(): void
    {
        global $wp_meta_boxes;
        // What wp-admin has loaded when add_meta_boxes fires.
        require_once ABSPATH . 'wp-admin/includes/template.php';
        require_once ABSPATH . 'wp-admin/includes/class-wp-screen.php';
        require_once ABSPATH . 'wp-admin/includes/screen.php';
        $screens = new OrderScreens(new Bridge());
        $shopOrder = wc_create_order();
        $this->orders[] = $shopOrder;
        $screens->add_meta_box('test-screen', $shopOrder);
        $this->assertEmpty($wp_meta_boxes['test-screen']['side']['high']['mirakl-connector-order'] ?? null, 'no box on a shop order');
        $screens->add_meta_box('test-screen', $this->marketplaceOrder('SBX-BOX-2'));
        $this->assertNotEmpty($wp_meta_boxes['test-screen']['side']['high']['mirakl-connector-order'] ?? null, 'a box on a marketplace order');
    }

    public function test_tracking_is_saved_with_its_nonce_only(): void
    {
        $order = $this->marketplaceOrder('SBX-TRACK-1');
        $screens = new OrderScreens(new Bridge());
        $fields = ['mirakl_carrier' => 'Colissimo', 'mirakl_tracking_number' => '8V123', 'mirakl_tracking_url' => 'https://track.example/8V123'];

        $_POST = $_REQUEST = wp_slash($fields + ['mirakl_tracking_nonce' => 'forged']);
        $screens->save_tracking($order->get_id());
        $this->assertSame('', (string) wc_get_order($order->get_id())->get_meta(OrderScreens::META_TRACKING_NUMBER), 'nothing saved without the nonce');

        $_POST = $_REQUEST = wp_slash($fields + ['mirakl_tracking_nonce' => wp_create_nonce(OrderScreens::TRACKING_NONCE)]);
        $screens->save_tracking($order->get_id());
        $saved = wc_get_order($order->get_id());
        $this->assertSame('Colissimo', $saved->get_meta(OrderScreens::META_CARRIER));
        $this->assertSame('8V123', $saved->get_meta(OrderScreens::META_TRACKING_NUMBER));
        $this->assertSame('https://track.example/8V123', $saved->get_meta(OrderScreens::META_TRACKING_URL));
    }

    public function test_tracking_is_not_saved_by_a_user_who_cannot_edit_orders(): void
    {
        $order = $this->marketplaceOrder('SBX-TRACK-2');
        $subscriber = wp_insert_user(['user_login' => 'sub-' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'subscriber']);
        wp_set_current_user($subscriber);
        $_POST = $_REQUEST = wp_slash(['mirakl_tracking_number' => '8V999', 'mirakl_tracking_nonce' => wp_create_nonce(OrderScreens::TRACKING_NONCE)]);
        (new OrderScreens(new Bridge()))->save_tracking($order->get_id());
        $this->assertSame('', (string) wc_get_order($order->get_id())->get_meta(OrderScreens::META_TRACKING_NUMBER));
        wp_set_current_user($this->user);
        require_once ABSPATH . 'wp-admin/includes/user.php';
        wp_delete_user($subscriber);
    }

    public function test_the_orders_list_filter_keeps_marketplace_or_shop_orders(): void
    {
        $marketplace = $this->marketplaceOrder('SBX-FILTER-1');
        $shop = wc_create_order();
        $this->orders[] = $shop;
        $screens = new OrderScreens(new Bridge());

        $hpos = \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled();
        require_once ABSPATH . 'wp-admin/includes/class-wp-screen.php';
        require_once ABSPATH . 'wp-admin/includes/screen.php';
        foreach (['marketplace' => [$marketplace, $shop], 'shop' => [$shop, $marketplace]] as $channel => [$kept, $left]) {
            $_GET = [OrderScreens::FILTER => $channel];
            if ($hpos) {
                // What the HPOS list table asks wc_get_orders() for.
                $ids = wc_get_orders($screens->hpos_filter_query(['limit' => 200, 'return' => 'ids', 'type' => 'shop_order', 'status' => 'any']));
            } else {
                // What the posts list (edit.php) asks WP_Query for, in wp-admin.
                set_current_screen('edit-shop_order');
                $vars = $screens->posts_filter_query(['post_type' => 'shop_order', 'post_status' => 'any', 'fields' => 'ids', 'posts_per_page' => 200]);
                $GLOBALS['current_screen'] = null;
                $ids = (new \WP_Query($vars))->posts;
            }
            $ids = array_map('intval', $ids);
            $this->assertContains($kept->get_id(), $ids, "$channel keeps its orders");
            $this->assertNotContains($left->get_id(), $ids, "$channel leaves the others out");
        }
        $_GET = [];
        $this->assertSame(['type' => 'shop_order'], $screens->hpos_filter_query(['type' => 'shop_order']), 'no filter chosen, no change');
    }

    public function test_the_dashboard_links_a_mirakl_order_to_its_woocommerce_order(): void
    {
        $order = $this->marketplaceOrder('SBX-LINK-1');
        $this->assertSame($order->get_id(), OrderMeta::find_order_id('SBX-LINK-1'));
        $link = DashboardPage::entity_link('mirakl_order', 'SBX-LINK-1');
        $this->assertStringContainsString(esc_url(OrderMeta::edit_url($order->get_id())), $link);
        $this->assertStringContainsString('Mirakl order SBX-LINK-1', $link);
        $this->assertStringNotContainsString('href', DashboardPage::entity_link('mirakl_order', 'SBX-UNKNOWN'), 'no link to an order that does not exist');
    }
}
