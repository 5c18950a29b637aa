CREATE TABLE facilities (
  id   text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('HOSPITAL', 'CLINIC', 'COMMUNITY_HEALTH_CENTRE')),
  city text NOT NULL
);

-- Every record table carries citizen_id and is read through (citizen_id, occurred_at, id), so it
-- can be distributed by citizen_id later without changing a query.
CREATE TABLE encounters (
  id             text PRIMARY KEY,
  citizen_id     text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  facility_id    text NOT NULL REFERENCES facilities (id),
  kind           text NOT NULL CHECK (kind IN ('GP_VISIT', 'SPECIALIST', 'EMERGENCY', 'INPATIENT', 'TELEHEALTH')),
  diagnosis_code text NOT NULL,
  diagnosis      text NOT NULL
);
CREATE INDEX encounters_citizen_page ON encounters (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE prescriptions (
  id           text PRIMARY KEY,
  citizen_id   text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  encounter_id text REFERENCES encounters (id),
  medication   text NOT NULL,
  dosage       text NOT NULL,
  days_supply  integer NOT NULL CHECK (days_supply > 0)
);
CREATE INDEX prescriptions_citizen_page ON prescriptions (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE vaccinations (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  facility_id text NOT NULL REFERENCES facilities (id),
  vaccine     text NOT NULL,
  dose_number integer NOT NULL CHECK (dose_number > 0)
);
CREATE INDEX vaccinations_citizen_page ON vaccinations (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE insurance_claims (
  id           text PRIMARY KEY,
  citizen_id   text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  encounter_id text REFERENCES encounters (id),
  status       text NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'PARTIALLY_APPROVED', 'REJECTED')),
  claimed      numeric(14, 2) NOT NULL CHECK (claimed >= 0),
  reimbursed   numeric(14, 2) NOT NULL CHECK (reimbursed >= 0),
  currency     char(3) NOT NULL
);
CREATE INDEX insurance_claims_citizen_page ON insurance_claims (citizen_id, occurred_at DESC, id DESC);
