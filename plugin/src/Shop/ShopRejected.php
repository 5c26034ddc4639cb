<?php
/**
 * Thrown by a Shop implementation when the shop refuses an operation and a human must look
 * (unknown SKU, invalid address, product not purchasable). The engine parks the job and raises an
 * problem on the dashboard instead of retrying.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Shop;

defined( 'ABSPATH' ) || exit;

/**
 * The shop refused; retrying will not help.
 */
class ShopRejected extends \RuntimeException {
}
