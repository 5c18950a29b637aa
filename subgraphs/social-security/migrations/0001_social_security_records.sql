-- Every record table carries citizen_id and is read through (citizen_id, occurred_at, id), so it
-- can be distributed by citizen_id later without changing a query.

-- employer_id names a business in the tax department's store: there is no local table to
-- reference, so it carries no foreign key.
CREATE TABLE contributions (
  id              text PRIMARY KEY,
  citizen_id      text NOT NULL,
  occurred_at     timestamptz NOT NULL,
  employer_id     text NOT NULL,
  scheme          text NOT NULL CHECK (scheme IN ('PENSION_INSURANCE')),
  year            integer NOT NULL,
  months          integer NOT NULL CHECK (months BETWEEN 1 AND 12),
  employee_amount numeric(14, 2) NOT NULL CHECK (employee_amount >= 0),
  employer_amount numeric(14, 2) NOT NULL CHECK (employer_amount >= 0),
  currency        char(3) NOT NULL,
  UNIQUE (citizen_id, employer_id, scheme, year)
);
CREATE INDEX contributions_citizen_page ON contributions (citizen_id, occurred_at DESC, id DESC);
-- Serves Business.contributions: an employer's contributions for all its employees.
CREATE INDEX contributions_employer_page ON contributions (employer_id, occurred_at DESC, id DESC);

CREATE TABLE benefits (
  id             text PRIMARY KEY,
  citizen_id     text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('CHILD', 'UNEMPLOYMENT', 'DISABILITY', 'HOUSING', 'MATERNITY')),
  status         text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'ENDED')),
  monthly_amount numeric(14, 2) NOT NULL CHECK (monthly_amount > 0),
  currency       char(3) NOT NULL,
  start_date     date NOT NULL,
  end_date       date CHECK (end_date >= start_date),
  -- Only an ended benefit has a last day paid.
  CHECK ((status = 'ENDED') = (end_date IS NOT NULL))
);
CREATE INDEX benefits_citizen_page ON benefits (citizen_id, occurred_at DESC, id DESC);

-- A citizen draws at most one pension. Pensions are looked up by citizen, never paged, so the
-- unique constraint's index is the only one they need.
CREATE TABLE pensions (
  id             text PRIMARY KEY,
  citizen_id     text NOT NULL UNIQUE,
  occurred_at    timestamptz NOT NULL,
  scheme         text NOT NULL CHECK (scheme IN ('EMPLOYEE_BASIC', 'RESIDENT_BASIC')),
  start_date     date NOT NULL,
  monthly_amount numeric(14, 2) NOT NULL CHECK (monthly_amount > 0),
  currency       char(3) NOT NULL
);
