-- Consumer keys: the SHA-256 of each key and its scope (JSON), by name; the keys themselves are kept nowhere.
CREATE TABLE consumer_keys (
    name       text   PRIMARY KEY,
    definition text   NOT NULL,
    created_at bigint NOT NULL
);
