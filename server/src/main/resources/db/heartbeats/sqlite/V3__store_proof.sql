-- A secret made when the store was made (or first upgraded): a worker proves to the balancer that it holds this
-- store by sending it with the store's identity, so nobody can claim the identity without the file.
ALTER TABLE store_info ADD COLUMN secret TEXT;
UPDATE store_info SET secret = lower(hex(randomblob(32))) WHERE secret IS NULL;
