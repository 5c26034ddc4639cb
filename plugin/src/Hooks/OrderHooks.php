<?php
/**
 * Order events on marketplace orders: the order reaching the shipped status, tracking being
 * added (the connector's own tracking fields or a shipment-tracking plugin's meta, whether saved
 * through the order or written as post meta), and refunds created in WooCommerce. Changes the
 * engine itself makes through WooShop, and refunds recorded from Mirakl, are not echoed back.
 * Only collects into the change map; never throws into WooCommerce.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Hooks;

use MiraklConnector\Native\Bridge;
use MiraklConnector\Runner\Log;
use MiraklConnector\Shop\ShopSettings;
use MiraklConnector\Shop\TrackingReader;
use MiraklConnector\Shop\WooShop;

defined( 'ABSPATH' ) || exit;

/**
 * Shipping and refund hooks.
 */
class OrderHooks {

	/**
	 * The request's change map.
	 *
	 * @var ChangeMap
	 */
	private ChangeMap $changes;

	/**
	 * The native bridge (for the sync settings' status mapping).
	 *
	 * @var Bridge
	 */
	private Bridge $bridge;

	/**
	 * The shipped status, read once per request.
	 *
	 * @var string|null
	 */
	private ?string $shipped_status = null;

	/**
	 * Constructor.
	 *
	 * @param ChangeMap $changes The request's change map.
	 * @param Bridge    $bridge  The native bridge.
	 */
	public function __construct( ChangeMap $changes, Bridge $bridge ) {
		$this->changes = $changes;
		$this->bridge  = $bridge;
	}

	/**
	 * Hooks into WooCommerce and WordPress.
	 */
	public function register(): void {
		add_action( 'woocommerce_order_status_changed', array( $this, 'status_changed' ), 10, 4 );
		add_action( 'woocommerce_update_order', array( $this, 'order_updated' ), 10, 2 );
		add_action( 'added_post_meta', array( $this, 'post_meta_written' ), 10, 3 );
		add_action( 'updated_post_meta', array( $this, 'post_meta_written' ), 10, 3 );
		add_action( 'woocommerce_refund_created', array( $this, 'refund_created' ), 10, 1 );
		foreach ( array( 'update_option_', 'add_option_' ) as $prefix ) {
			add_action( $prefix . \MiraklConnector\Lifecycle::OPTION_SYNC_SETTINGS, array( $this, 'settings_changed' ) );
			add_action( $prefix . ShopSettings::OPTION, array( $this, 'settings_changed' ) );
		}
	}

	/**
	 * The sync or shop settings changed in this request: read them again.
	 */
	public function settings_changed(): void {
		$this->shipped_status = null;
	}

	/**
	 * `woocommerce_order_status_changed`.
	 *
	 * @param int                $order_id Order id.
	 * @param string             $from     Old status.
	 * @param string             $to       New status.
	 * @param \WC_Order|null     $order    The order.
	 */
	public function status_changed( $order_id, $from, $to, $order = null ): void {
		try {
			if ( WooShop::is_applying() || (string) $to !== $this->shipped_status() ) {
				return;
			}
			$order = $order instanceof \WC_Order ? $order : wc_get_order( (int) $order_id );
			if ( WooShop::is_marketplace_order( $order ) ) {
				$this->changes->shipped( (int) $order->get_id() );
			}
		} catch ( \Throwable $e ) {
			Log::exception( 'Noting a shipped order', $e );
		}
	}

	/**
	 * `woocommerce_update_order`: tracking saved through the order (both storages).
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    The order.
	 */
	public function order_updated( $order_id, $order = null ): void {
		try {
			if ( WooShop::is_applying() ) {
				return;
			}
			$order = $order instanceof \WC_Order ? $order : wc_get_order( (int) $order_id );
			if ( WooShop::is_marketplace_order( $order ) && null !== TrackingReader::read( $order ) ) {
				$this->changes->shipped( (int) $order->get_id() );
			}
		} catch ( \Throwable $e ) {
			Log::exception( 'Noting order tracking', $e );
		}
	}

	/**
	 * `added_post_meta` / `updated_post_meta`: tracking written straight into post meta by a
	 * shipment-tracking plugin (posts storage).
	 *
	 * @param int    $meta_id   Meta id.
	 * @param int    $object_id Post id.
	 * @param string $meta_key  Meta key.
	 */
	public function post_meta_written( $meta_id, $object_id, $meta_key ): void {
		if ( ! in_array( $meta_key, TrackingReader::WATCHED_META, true ) || WooShop::is_applying() ) {
			return;
		}
		try {
			if ( 'shop_order' !== get_post_type( (int) $object_id ) ) {
				return;
			}
			// A write past WC_Order leaves WooCommerce's cached meta of the order stale for the
			// rest of the request (for us and everyone else): drop it, as an order save would.
			\WC_Cache_Helper::invalidate_cache_group( 'object_' . (int) $object_id );
			$order = wc_get_order( (int) $object_id );
			if ( WooShop::is_marketplace_order( $order ) && null !== TrackingReader::read( $order ) ) {
				$this->changes->shipped( (int) $order->get_id() );
			}
		} catch ( \Throwable $e ) {
			Log::exception( 'Noting order tracking', $e );
		}
	}

	/**
	 * `woocommerce_refund_created`.
	 *
	 * @param int $refund_id Refund id.
	 */
	public function refund_created( $refund_id ): void {
		try {
			if ( WooShop::is_applying() ) {
				return;
			}
			$refund = wc_get_order( (int) $refund_id );
			if ( ! $refund instanceof \WC_Order_Refund || '' !== (string) $refund->get_meta( WooShop::META_REFUND_ID ) ) {
				return;
			}
			if ( WooShop::is_marketplace_order( wc_get_order( $refund->get_parent_id() ) ) ) {
				$this->changes->refund( (int) $refund_id );
			}
		} catch ( \Throwable $e ) {
			Log::exception( 'Noting a refund', $e );
		}
	}

	/**
	 * The WooCommerce status that means shipped.
	 */
	private function shipped_status(): string {
		if ( null === $this->shipped_status ) {
			$this->shipped_status = ShopSettings::shipped_status( ShopSettings::sync( $this->bridge ) );
		}
		return $this->shipped_status;
	}
}
