-- One row the worker rewrites, while its store fails writes, to find out when writing works again. The padding
-- makes the probe need fresh pages in the journal, as a batch of heartbeats does.
CREATE TABLE write_probe (
    id        INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL,
    padding   BLOB    NOT NULL
) STRICT;
