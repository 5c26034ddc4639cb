<?php
/**
 * Keeps WooCommerce's customer e-mails (on-hold, processing, completed, refunded, notes,
 * invoices) away from marketplace orders' customers unless the shop setting
 * `send_customer_emails` allows them: the marketplace informs its customers itself, and the
 * address it gives is an anonymised relay. Admin e-mails are untouched.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Hooks;

use MiraklConnector\Shop\ShopSettings;
use MiraklConnector\Shop\WooShop;

defined( 'ABSPATH' ) || exit;

/**
 * Filters customer e-mail recipients.
 */
class CustomerEmails {

	/**
	 * WooCommerce's customer e-mail ids.
	 */
	public const CUSTOMER_EMAILS = array(
		'customer_on_hold_order',
		'customer_processing_order',
		'customer_completed_order',
		'customer_refunded_order',
		'customer_partially_refunded_order',
		'customer_invoice',
		'customer_note',
		'customer_failed_order',
		'customer_cancelled_order',
	);

	/**
	 * Hooks into WooCommerce.
	 */
	public function register(): void {
		foreach ( self::CUSTOMER_EMAILS as $email_id ) {
			add_filter( 'woocommerce_email_recipient_' . $email_id, array( $this, 'recipient' ), 99, 2 );
		}
	}

	/**
	 * Blanks the recipient of a customer e-mail about a marketplace order.
	 *
	 * @param string $recipient Recipient(s).
	 * @param mixed  $object    The e-mail's object (an order for these e-mails).
	 * @return string
	 */
	public function recipient( $recipient, $object = null ) {
		try {
			if ( WooShop::is_marketplace_order( $object ) && ! ShopSettings::get( 'send_customer_emails' ) ) {
				return '';
			}
		} catch ( \Throwable $e ) {
			// An unreadable setting must not stop WooCommerce's mail; the default (no mail) stands.
			return WooShop::is_marketplace_order( $object ) ? '' : $recipient;
		}
		return $recipient;
	}
}
