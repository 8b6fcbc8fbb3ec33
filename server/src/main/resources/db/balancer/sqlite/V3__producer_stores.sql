-- Every store that ever held a producer's heartbeats (a store identity, or 'worker:<id>' for a worker that
-- reported none), so that its whole history can be read and erased after it moved.
CREATE TABLE producer_stores (
    producer TEXT NOT NULL,
    store    TEXT NOT NULL,
    PRIMARY KEY (producer, store)
) WITHOUT ROWID;

INSERT OR IGNORE INTO producer_stores (producer, store)
SELECT a.producer, coalesce(w.store, 'worker:' || w.id) FROM assignments a JOIN workers w ON w.id = a.worker_id;
