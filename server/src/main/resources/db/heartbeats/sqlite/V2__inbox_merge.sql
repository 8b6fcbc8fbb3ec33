-- Heartbeats now arrive through the inbox file (see db/heartbeats/sqlite-inbox) and are merged here in batches.
-- merged_through: the last inbox id whose row is in this file; written in the same transaction as the rows.
ALTER TABLE store_info ADD COLUMN merged_through INTEGER NOT NULL DEFAULT 0;

-- The inbox id a row came from (NULL for rows written before the inbox existed), so that a read that sees a
-- row both in the inbox and here counts it once.
ALTER TABLE heartbeats ADD COLUMN inbox_id INTEGER;
