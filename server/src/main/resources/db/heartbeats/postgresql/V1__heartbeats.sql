-- The heartbeat store on PostgreSQL: the same contract as the SQLite files, for workers that share one database.

-- One row: the store's identity (the same for every worker using this database), the secret that proves a worker
-- holds it, and the last commit key given. Every append takes its keys by updating last_key, whose row lock it
-- holds until it commits, so keys grow in commit order across every worker writing here.
CREATE TABLE store_info (
    id         integer PRIMARY KEY CHECK (id = 1),
    identity   text    NOT NULL,
    secret     text    NOT NULL,
    created_at bigint  NOT NULL,
    last_key   bigint  NOT NULL DEFAULT 0
);

INSERT INTO store_info (id, identity, secret, created_at)
VALUES (1, gen_random_uuid()::text,
        replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
        (extract(epoch FROM clock_timestamp()) * 1000)::bigint);

-- Every stored heartbeat, partitioned by month of its time (device time, else receipt); months are created ahead
-- by the store, and a time outside them lands in the default partition. Retention drops whole months.
CREATE TABLE heartbeats (
    key         bigint           NOT NULL,  -- commit key, unique in this store
    producer    text             NOT NULL,
    time        bigint           NOT NULL,  -- coalesce(device_time, received_at)
    received_at bigint           NOT NULL,
    seq         bigint,
    device_time bigint,
    location    text             NOT NULL,  -- JSON: {"lat","lon",...} or a string
    lat         double precision,
    lon         double precision,
    label       text,                       -- the string location, NUL and backslash escaped (an index key only)
    data        text             NOT NULL,  -- the producer's JSON value, exactly as received
    ip_address  text
) PARTITION BY RANGE (time);

CREATE TABLE heartbeats_default PARTITION OF heartbeats DEFAULT;

CREATE INDEX heartbeats_by_producer_time
    ON heartbeats (producer, time, coalesce(seq, 9223372036854775807), key);
CREATE INDEX heartbeats_by_key ON heartbeats (key);
CREATE INDEX heartbeats_by_label_time ON heartbeats (label, time, key) WHERE label IS NOT NULL;
CREATE INDEX heartbeats_by_time ON heartbeats USING brin (time);

-- (producer, seq) once across the whole history: a unique index on a partitioned table must hold the partition
-- key, so the claims live here.
CREATE TABLE seqs (
    producer text   NOT NULL,
    seq      bigint NOT NULL,
    time     bigint NOT NULL,
    PRIMARY KEY (producer, seq)
);
CREATE INDEX seqs_by_time ON seqs USING brin (time);

-- Each producer's latest heartbeat: the greatest time, a tie going to the later commit.
CREATE TABLE latest (
    producer    text             PRIMARY KEY,
    key         bigint           NOT NULL,
    time        bigint           NOT NULL,
    received_at bigint           NOT NULL,
    seq         bigint,
    device_time bigint,
    location    text             NOT NULL,
    lat         double precision,
    lon         double precision,
    data        text             NOT NULL,
    ip_address  text
);

CREATE TABLE write_probe (
    id        integer PRIMARY KEY CHECK (id = 1),
    probed_at bigint  NOT NULL
);
