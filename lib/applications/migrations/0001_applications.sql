-- Applications a citizen made to this department (lib/applications/). Each step of an
-- application is one transaction: the row, its status history and its evidence change together.
CREATE TABLE applications (
  id                text PRIMARY KEY,
  procedure         text NOT NULL,
  applicant_id      text NOT NULL,
  subject_id        text NOT NULL,
  -- The applicant's own key for this application: a retried start finds the first one.
  client_request_id text NOT NULL,
  status            text NOT NULL CHECK (status IN ('DRAFT', 'EVIDENCE_READY', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PAID', 'REDEEMED')),
  -- What the applicant chose (the school, the goods and amount), validated by the department.
  details           jsonb NOT NULL,
  created_at        timestamptz NOT NULL,
  submitted_at      timestamptz,
  decided_at        timestamptz,
  decided_by        text,
  decision_reason   text,
  -- The department's own record the approval wrote (an enrollment, a rebate, a voucher).
  record_id         text,
  UNIQUE (applicant_id, client_request_id)
);
CREATE INDEX applications_applicant_page ON applications (applicant_id, created_at DESC, id DESC);
CREATE INDEX applications_subject_page ON applications (subject_id, created_at DESC, id DESC);
-- Officers' work list: what is addressed to them, by status, newest first.
CREATE INDEX applications_status_page ON applications (status, created_at DESC, id DESC);

-- Every status an application went through, with its time and who moved it.
CREATE TABLE application_events (
  application_id text NOT NULL REFERENCES applications (id),
  seq            integer NOT NULL,
  status         text NOT NULL,
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  PRIMARY KEY (application_id, seq)
);

-- The evidence the department obtained for an application: one row per required type, the
-- issuer's signed document when it came, or why it did not.
CREATE TABLE application_evidence (
  application_id text NOT NULL REFERENCES applications (id),
  type           text NOT NULL,
  issuer         text NOT NULL,
  status         text NOT NULL CHECK (status IN ('RECEIVED', 'UNAVAILABLE')),
  document       text,
  error          text,
  updated_at     timestamptz NOT NULL,
  CHECK ((status = 'RECEIVED') = (document IS NOT NULL)),
  PRIMARY KEY (application_id, type)
);
