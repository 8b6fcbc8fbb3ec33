-- Streams resume in commit order: a subscriber that reconnects reads the heartbeats committed after the inbox id
-- it last saw (its commit key), across producers, in one range scan.
CREATE INDEX heartbeats_by_inbox_id ON heartbeats (inbox_id) WHERE inbox_id IS NOT NULL;
