-- Akka Persistence JDBC 5.2 tables for PostgreSQL 13+ (and, at the end, one table of the engine's own).
-- Idempotent: the node applies this file at every start and the tests apply the same file,
-- so running it on a database that already has the tables changes nothing.
-- Layout as akka-persistence-jdbc's own schema/postgres/postgres-create-schema.sql (the journal
-- plugin reads and writes these exact columns); durable_state is left out because the engine
-- keeps no durable-state entities.
-- One addition: persistence ids compare by their bytes (COLLATE "C"). They are ASCII ids, and under a
-- libc locale (en_US.UTF-8, C.UTF-8) every comparison in the primary key's index goes through strcoll:
-- 5-16 % of PostgreSQL's CPU per trail row under C.UTF-8 (BENCHMARKS.md, issue 13, "session 11").
-- Tables created before keep their collation; the embedded database is created with locale C.

CREATE TABLE IF NOT EXISTS event_journal (
  ordering BIGSERIAL,
  persistence_id VARCHAR(255) COLLATE "C" NOT NULL,
  sequence_number BIGINT NOT NULL,
  deleted BOOLEAN DEFAULT FALSE NOT NULL,

  writer VARCHAR(255) NOT NULL,
  write_timestamp BIGINT,
  adapter_manifest VARCHAR(255),

  event_ser_id INTEGER NOT NULL,
  event_ser_manifest VARCHAR(255) NOT NULL,
  event_payload BYTEA NOT NULL,

  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,

  PRIMARY KEY (persistence_id, sequence_number)
);

CREATE UNIQUE INDEX IF NOT EXISTS event_journal_ordering_idx ON event_journal (ordering);

CREATE TABLE IF NOT EXISTS event_tag (
  event_id BIGINT,
  tag VARCHAR(256),
  PRIMARY KEY (event_id, tag),
  CONSTRAINT fk_event_journal
    FOREIGN KEY (event_id)
    REFERENCES event_journal (ordering)
    ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS snapshot (
  persistence_id VARCHAR(255) COLLATE "C" NOT NULL,
  sequence_number BIGINT NOT NULL,
  created BIGINT NOT NULL,

  snapshot_ser_id INTEGER NOT NULL,
  snapshot_ser_manifest VARCHAR(255) NOT NULL,
  snapshot_payload BYTEA NOT NULL,

  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,

  PRIMARY KEY (persistence_id, sequence_number)
);

-- The engine's own table (not Akka's): where a hunt's public stream can be read from without replaying
-- the hunt from its first event (entities/StreamCheckpoints.java). Derived data, written every
-- stream-checkpoint-every journal events by the Hunt entity; the latest few per hunt are kept. Losing
-- rows only makes a deep resume read longer or answer with a snapshot.
CREATE TABLE IF NOT EXISTS hunt_stream_checkpoint (
  hunt_id VARCHAR(255) NOT NULL,
  stream_seq BIGINT NOT NULL,
  epoch VARCHAR(64) NOT NULL,
  journal_seq_nr BIGINT NOT NULL,
  state BYTEA NOT NULL,
  created BIGINT NOT NULL,
  PRIMARY KEY (hunt_id, stream_seq)
);
