-- The SQLite heartbeat store: the history of every heartbeat, the latest heartbeat of each producer,
-- and the identity of this database. Times are milliseconds since the epoch (UTC).

-- Every heartbeat, in arrival order (id). Append-only: rows go to the end of the table.
CREATE TABLE heartbeats (
    id          INTEGER PRIMARY KEY,
    producer    TEXT    NOT NULL,
    received_at INTEGER NOT NULL,  -- server time, stamped by the worker
    seq         INTEGER,           -- the producer's sequence number, for de-duplication
    device_time INTEGER,           -- the producer's own clock
    location    TEXT    NOT NULL,  -- JSON: {"lat","lon",...} or a string (the original's plain location)
    lat         REAL,              -- copied from location when it is a position
    lon         REAL,
    label       TEXT,              -- copied from location when it is a string
    data        TEXT    NOT NULL,  -- the producer's JSON value, exactly as received
    ip_address  TEXT
) STRICT;

-- history(producer, from, to): one range scan, already in time order.
CREATE INDEX heartbeats_by_producer_time ON heartbeats (producer, received_at);

-- A retried heartbeat (same producer and seq) is stored once; heartbeats without seq are all kept.
CREATE UNIQUE INDEX heartbeats_once_per_seq ON heartbeats (producer, seq) WHERE seq IS NOT NULL;

-- latestAtLabel(label): the newest heartbeat at a string location. Partial, so positions cost nothing.
CREATE INDEX heartbeats_by_label_time ON heartbeats (label, received_at) WHERE label IS NOT NULL;

-- The newest heartbeat of each producer (by received_at), same columns as the history.
CREATE TABLE latest (
    producer    TEXT    NOT NULL PRIMARY KEY,
    received_at INTEGER NOT NULL,
    seq         INTEGER,
    device_time INTEGER,
    location    TEXT    NOT NULL,
    lat         REAL,
    lon         REAL,
    label       TEXT,
    data        TEXT    NOT NULL,
    ip_address  TEXT
) STRICT;

-- One row: the identity of this database, a random UUID (version 4) made once, when the file is created.
CREATE TABLE store_info (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    identity   TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO store_info (id, identity, created_at)
VALUES (1,
        lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
              || substr('89ab', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2) || '-'
              || hex(randomblob(6))),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
