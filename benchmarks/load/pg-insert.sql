-- pgbench script: one INSERT of a 200-byte row per transaction (autocommit, so each
-- transaction commits and, with synchronous_commit=on, waits for its WAL fsync).
-- entity spread over 10,000 values like the HTTP single-event run; payload exactly 200 bytes.
\set e random(1, 10000)
INSERT INTO events (entity, payload) VALUES ('load:e' || :e, repeat('x', 200));
