-- Signed checkpoints of the access trail's head (DESIGN.md, "Access trail"; src/checkpoint.ts).
-- The audit service signs (seq, hash, at) with its own key (AUDIT_SIGNING_KEY), which the
-- database does not hold, every TRAIL_CHECKPOINT_INTERVAL_MS when the head has moved and on
-- demand; GET /trail/checkpoints publishes them. They are kept here so that they survive restarts
-- and every replica serves the same list. What proves anything is the copies auditors keep
-- outside this store (`npm run audit -- checkpoints > FILE`, then `verify --checkpoints FILE`):
-- whoever owns the store can delete these rows, but cannot sign new ones for a rewritten chain.
CREATE TABLE trail_checkpoints (
  -- The record the checkpoint signs: the chain's head when it was signed. One checkpoint per
  -- head, so replicas that sign the same head at once keep the first (ON CONFLICT DO NOTHING).
  seq       bigint PRIMARY KEY REFERENCES access_trail (seq),
  -- That record's hash, as signed.
  hash      text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  -- When the service signed it (its clock), as signed.
  signed_at timestamptz NOT NULL,
  -- The signing key's id (RFC 7638 thumbprint of its public key).
  kid       text NOT NULL CHECK (kid <> ''),
  -- The checkpoint itself: a compact JWS over {"seq","hash","at"}. The columns above repeat its
  -- payload for queries; verification reads only this.
  jws       text NOT NULL
);

-- Append-only, like the trail itself (0001: the same function refuses UPDATE, DELETE, TRUNCATE).
CREATE TRIGGER trail_checkpoints_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON trail_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION access_trail_append_only();

REVOKE UPDATE, DELETE, TRUNCATE ON trail_checkpoints FROM PUBLIC;
