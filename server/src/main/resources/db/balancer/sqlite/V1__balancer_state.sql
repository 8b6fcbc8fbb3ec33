-- The balancer's memory across restarts: the workers it knows and each producer's worker.
CREATE TABLE workers (
    id                TEXT    NOT NULL PRIMARY KEY,  -- host:port of the worker's URL
    url               TEXT    NOT NULL,
    store             TEXT,                          -- identity of the worker's store, NULL when unknown
    lease_interval_ms INTEGER NOT NULL,              -- 0 for a seed-registered worker without a lease
    registered_at     INTEGER NOT NULL               -- ms since the epoch
);

CREATE TABLE assignments (
    producer    TEXT    NOT NULL PRIMARY KEY,
    worker_id   TEXT    NOT NULL,
    epoch       INTEGER NOT NULL,
    assigned_at INTEGER NOT NULL
);
