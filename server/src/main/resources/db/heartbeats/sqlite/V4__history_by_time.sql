-- History ranges and orders over the heartbeat's time (device_time, else received_at), so points a phone
-- buffered offline land in their place. Heartbeats of the same time are ordered by seq (none last), then by their
-- key: the inbox id they came from, or minus their own id for rows older than the inbox. A key never changes once
-- given, so a cursor (time, seq, key) pages without skip or repeat.
ALTER TABLE heartbeats ADD COLUMN time INTEGER;
UPDATE heartbeats SET time = coalesce(device_time, received_at);
DROP INDEX heartbeats_by_producer_time;
CREATE INDEX heartbeats_by_producer_time
    ON heartbeats (producer, time, coalesce(seq, 9223372036854775807), coalesce(inbox_id, -id));
-- Retention deletes by time alone.
CREATE INDEX heartbeats_by_time ON heartbeats (time);
