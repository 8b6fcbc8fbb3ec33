-- Every worker renews at the balancer's own lease interval, so the interval a worker asked for is gone; what is
-- kept is whether it registered through the seed protocol.
ALTER TABLE workers ADD COLUMN seed INTEGER NOT NULL DEFAULT 0;
UPDATE workers SET seed = 1 WHERE lease_interval_ms = 0;
ALTER TABLE workers DROP COLUMN lease_interval_ms;

-- Store identities claimed by workers, with the SHA-256 of the proof the first claim brought.
CREATE TABLE stores (
    identity     TEXT    NOT NULL PRIMARY KEY,
    proof_sha256 TEXT    NOT NULL,
    shared       INTEGER NOT NULL,
    claimed_at   INTEGER NOT NULL  -- ms since the epoch
);
