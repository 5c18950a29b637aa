-- Consent grants: a citizen lets one department read another department's section for a
-- purpose until a date. Rows are never deleted: a revoked grant keeps its history.
CREATE TABLE consents (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL REFERENCES citizens (id),
  grantee     text NOT NULL CHECK (grantee IN ('HEALTH', 'EDUCATION', 'TRANSPORT', 'TAX', 'SOCIAL_SECURITY')),
  section     text NOT NULL CHECK (section IN ('HEALTH', 'EDUCATION', 'TRANSPORT', 'TAX', 'SOCIAL_SECURITY')),
  purpose     text NOT NULL CHECK (length(purpose) BETWEEN 3 AND 200),
  granted_at  timestamptz NOT NULL DEFAULT now(),
  expires_on  date NOT NULL,
  revoked_at  timestamptz,
  CHECK (grantee <> section)
);
CREATE INDEX consents_citizen ON consents (citizen_id, granted_at DESC);
