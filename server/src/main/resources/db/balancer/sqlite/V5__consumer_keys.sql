-- Consumer keys: the SHA-256 of each key and its scope (JSON), by name; the keys themselves are kept nowhere.
CREATE TABLE consumer_keys (
    name       TEXT    NOT NULL PRIMARY KEY,
    definition TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
