-- The access trail (DESIGN.md, "Access trail"): one row per operation that returned citizen data,
-- chained by hash: hash = sha256(prev_hash || canonical row) (src/chain.ts). Rows are only ever
-- appended, in seq order, by the group-commit writer (src/db/trail-writer.ts); `npm run audit --
-- verify` recomputes the chain.
CREATE TABLE access_trail (
  -- Position in the chain: 1, 2, 3, ... without gaps (the writer assigns it under a lock).
  seq                  bigint PRIMARY KEY CHECK (seq > 0),
  id                   text NOT NULL UNIQUE CHECK (id ~ '^acc_[0-9a-f-]{36}$'),
  occurred_at          timestamptz NOT NULL,
  principal_sub        text NOT NULL CHECK (principal_sub <> ''),
  principal_role       text NOT NULL CHECK (principal_role IN ('citizen', 'officer', 'auditor')),
  principal_department text CHECK (principal_department IN ('HEALTH', 'EDUCATION', 'TRANSPORT', 'TAX', 'SOCIAL_SECURITY')),
  purpose              text,
  case_id              text,
  -- sha256 (hex) of the operation's document: its registered id when it is registered.
  operation_id         text NOT NULL CHECK (operation_id ~ '^[0-9a-f]{64}$'),
  operation_name       text,
  citizen_ids          text[] NOT NULL CHECK (array_position(citizen_ids, NULL) IS NULL),
  -- The services that returned data (identity, health, ..., audit).
  departments          text[] NOT NULL CHECK (array_position(departments, NULL) IS NULL),
  outcome              text NOT NULL CHECK (outcome IN ('complete', 'partial')),
  duration_ms          integer NOT NULL CHECK (duration_ms >= 0),
  prev_hash            text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash                 text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
  -- When the row was written (not hashed: it is the store's clock, not the operation's).
  recorded_at          timestamptz NOT NULL DEFAULT now(),
  -- Only officers act for a department.
  CHECK (principal_department IS NULL OR principal_role = 'officer'),
  -- The first record, and only the first, links to the genesis hash (src/chain.ts GENESIS_HASH).
  CHECK ((seq = 1) = (prev_hash = repeat('0', 64)))
);

-- One accessor's records, newest first.
CREATE INDEX access_trail_principal ON access_trail (principal_sub, seq);

-- Which records touched each citizen: a citizen's log, newest first, is a range of this primary
-- key (`citizen_id = $1 ORDER BY seq DESC LIMIT n`), one lookup per citizen however long the
-- trail. A GIN index on citizen_ids cannot return matches in seq order: with 200k records, the
-- logs of 50 citizens took 1.6 s through it (the planner scans seq backwards) and 0.4 s with a
-- forced bitmap scan, against 2 ms here. The writer fills it in the same statement as the
-- records; `npm run audit -- verify` checks it against each record's citizen_ids, since it is
-- not hashed. Distributable by citizen_id, like every department table.
CREATE TABLE access_trail_citizens (
  citizen_id text NOT NULL,
  seq        bigint NOT NULL REFERENCES access_trail (seq),
  PRIMARY KEY (citizen_id, seq)
);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused whoever runs them, on PGlite and on a
-- server alike. (Statement-level, so even a statement that would touch no row is refused.)
-- Only the table's owner can switch this off (ALTER TABLE ... DISABLE TRIGGER), which is what
-- the chain is for: `npm run audit -- verify` finds any row changed behind the trigger's back.
CREATE FUNCTION access_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is refused (records are never changed or removed)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_trail_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON access_trail
  FOR EACH STATEMENT EXECUTE FUNCTION access_trail_append_only();
CREATE TRIGGER access_trail_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON access_trail_citizens
  FOR EACH STATEMENT EXECUTE FUNCTION access_trail_append_only();

-- PUBLIC holds none of these by default; revoking states the intent and is harmless on both
-- engines. On a PostgreSQL server, apply migrations as the table's owner and run the audit
-- service as another role granted only SELECT and INSERT (and USAGE on the schema), so that not
-- even the service can disable the trigger:
--   GRANT SELECT, INSERT ON access_trail, access_trail_citizens TO audit_service;
REVOKE UPDATE, DELETE, TRUNCATE ON access_trail, access_trail_citizens FROM PUBLIC;
