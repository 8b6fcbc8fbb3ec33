-- The balancers' shared state on PostgreSQL: what balancer.db holds for one balancer, for every balancer given
-- the same database, plus the log of changes through which each learns what the others decided.

CREATE TABLE workers (
    id            text    PRIMARY KEY,  -- host:port of the worker's URL
    url           text    NOT NULL,
    store         text,                 -- identity of the worker's store, NULL when unknown
    seed          boolean NOT NULL,
    registered_at bigint  NOT NULL
);

-- Each producer's worker; a write never replaces a later epoch, so the newest decision of any balancer stands.
CREATE TABLE assignments (
    producer    text   PRIMARY KEY,
    worker_id   text   NOT NULL,
    epoch       bigint NOT NULL,
    assigned_at bigint NOT NULL
);

CREATE TABLE stores (
    identity     text    PRIMARY KEY,
    proof_sha256 text    NOT NULL,
    shared       boolean NOT NULL,
    claimed_at   bigint  NOT NULL
);

CREATE TABLE producer_stores (
    producer text NOT NULL,
    store    text NOT NULL,
    PRIMARY KEY (producer, store)
);

CREATE TABLE areas (
    name       text   PRIMARY KEY,
    definition text   NOT NULL,
    created_at bigint NOT NULL
);

-- Fencing epochs for every balancer, handed out in blocks of 1000: disjoint, and each block above every earlier
-- one. They start at the creation time in milliseconds, above what any lost state can have granted.
DO $$
BEGIN
    EXECUTE format('CREATE SEQUENCE epochs START WITH %s INCREMENT BY 1000',
                   (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
END
$$;

-- One row: the last change number given. A balancer writing changes takes their numbers by updating it and
-- holds its row lock until it commits, so numbers grow in commit order and a reader never skips one.
CREATE TABLE state_info (
    id          integer PRIMARY KEY CHECK (id = 1),
    last_change bigint  NOT NULL
);
INSERT INTO state_info (id, last_change) VALUES (1, 0);

-- What each balancer changed, for the others to apply: assignments, the stores that held a producer, erasures,
-- areas. Kept for an hour; a balancer that starts reads the tables above instead.
CREATE TABLE state_changes (
    seq         bigint PRIMARY KEY,
    origin      text   NOT NULL,  -- the writing balancer's instance id
    at          bigint NOT NULL,
    kind        text   NOT NULL,  -- assigned, held, erased, area_saved, area_removed
    producer    text,
    worker_id   text,
    epoch       bigint,
    assigned_at bigint,
    store       text,
    name        text,
    definition  text
);
