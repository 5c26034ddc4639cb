-- One name per concept: the ledger's WooCommerce-side quantity is `shop_quantity`, like every
-- other `shop_*` name (the shop is WooCommerce as the engine sees it).
ALTER TABLE sku_ledger RENAME COLUMN woo_quantity TO shop_quantity;
