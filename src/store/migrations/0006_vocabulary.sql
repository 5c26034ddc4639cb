-- Problem kinds and entity types as the core's closed vocabularies (`vocab.rs`) name them.
-- A WooCommerce refund is a `shop_refund` everywhere (finance said `wc_refund`).
UPDATE problems SET entity_type = 'shop_refund' WHERE entity_type = 'wc_refund';

-- The acceptance warnings were one kind per threshold (`acceptance_deadline_50`, `_80`...); they
-- are one kind now, `acceptance_deadline_near`, with the threshold in the details. Open rows are
-- closed (the next deadline check raises the new kind while the order still waits); closed rows
-- are renamed so the history reads the same.
UPDATE problems SET state = 'resolved', resolution = 'resolved', resolved_at = last_seen
    WHERE state = 'open' AND kind GLOB 'acceptance_deadline_[0-9]*';
UPDATE problems SET kind = 'acceptance_deadline_near'
    WHERE kind GLOB 'acceptance_deadline_[0-9]*';
