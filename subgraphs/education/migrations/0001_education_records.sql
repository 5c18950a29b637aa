CREATE TABLE schools (
  id   text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('PRIMARY', 'SECONDARY', 'UNIVERSITY', 'VOCATIONAL')),
  city text NOT NULL
);

-- Every record table carries citizen_id and is read through (citizen_id, occurred_at, id), so it
-- can be distributed by citizen_id later without changing a query.
CREATE TABLE enrollments (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  school_id   text NOT NULL REFERENCES schools (id),
  level       text NOT NULL CHECK (level IN ('PRIMARY', 'JUNIOR_SECONDARY', 'SENIOR_SECONDARY', 'SECONDARY_VOCATIONAL', 'HIGHER_VOCATIONAL', 'BACHELOR')),
  start_date  date NOT NULL,
  end_date    date CHECK (end_date > start_date),
  status      text NOT NULL CHECK (status IN ('ACTIVE', 'COMPLETED', 'WITHDRAWN')),
  -- An active enrollment has no end date yet; a finished one always has one.
  CHECK ((status = 'ACTIVE') = (end_date IS NULL))
);
CREATE INDEX enrollments_citizen_page ON enrollments (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE qualifications (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  school_id   text REFERENCES schools (id),
  title       text NOT NULL,
  level       text CHECK (level IN ('PRIMARY', 'JUNIOR_SECONDARY', 'SENIOR_SECONDARY', 'SECONDARY_VOCATIONAL', 'HIGHER_VOCATIONAL', 'BACHELOR')),
  awarded_on  date NOT NULL
);
CREATE INDEX qualifications_citizen_page ON qualifications (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE exam_results (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  school_id   text REFERENCES schools (id),
  exam        text NOT NULL,
  subject     text NOT NULL,
  score       integer NOT NULL CHECK (score >= 0),
  max_score   integer NOT NULL CHECK (max_score > 0),
  CHECK (score <= max_score)
);
CREATE INDEX exam_results_citizen_page ON exam_results (citizen_id, occurred_at DESC, id DESC);
