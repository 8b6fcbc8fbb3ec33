-- The inbox: where every acknowledged heartbeat is written first, appended in arrival order with no index,
-- so a commit costs a few sequential pages. A merger moves the rows into the indexed history (the other file)
-- in large batches sorted by producer, then deletes them here. Same columns as the history.
-- AUTOINCREMENT: an id is never reused after its row is deleted, so "merged through id N" stays true.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    producer    TEXT    NOT NULL,
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
