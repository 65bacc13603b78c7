-- Deliveries are claimed by the node that sends them: claimed_by (the node) until
-- claimed_until (its lease). Another node takes a delivery only once the lease has run
-- out, so a node that died has its sends retried, with the same idempotency key.
ALTER TABLE deliveries ADD COLUMN claimed_by text;
ALTER TABLE deliveries ADD COLUMN claimed_until timestamptz;
