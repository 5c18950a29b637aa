-- Every record table carries citizen_id and is read through (citizen_id, occurred_at, id), so it
-- can be distributed by citizen_id later without changing a query.

-- One licence per citizen: the UNIQUE constraint is what lets Citizen.transport.drivingLicence
-- be loaded by citizen id.
CREATE TABLE driving_licences (
  id             text PRIMARY KEY,
  citizen_id     text NOT NULL UNIQUE,
  occurred_at    timestamptz NOT NULL,
  licence_number text NOT NULL UNIQUE CHECK (licence_number ~ '^[0-9]{12}$'),
  categories     text[] NOT NULL CHECK (
    cardinality(categories) > 0
    AND categories <@ ARRAY['A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'D', 'E', 'F', 'M', 'N', 'P']
  ),
  issued_on      date NOT NULL,
  expires_on     date NOT NULL CHECK (expires_on > issued_on),
  penalty_points integer NOT NULL CHECK (penalty_points >= 0),
  status         text NOT NULL CHECK (status IN ('VALID', 'SUSPENDED', 'EXPIRED'))
);
CREATE INDEX driving_licences_citizen_page ON driving_licences (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE vehicles (
  id                  text PRIMARY KEY,
  citizen_id          text NOT NULL,
  occurred_at         timestamptz NOT NULL,
  plate               text NOT NULL,
  make                text NOT NULL,
  model               text NOT NULL,
  model_year          integer NOT NULL CHECK (model_year >= 1950),
  fuel_type           text NOT NULL CHECK (fuel_type IN ('PETROL', 'DIESEL', 'HYBRID', 'ELECTRIC')),
  first_registered_on date NOT NULL
);
CREATE INDEX vehicles_citizen_page ON vehicles (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE violations (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  vehicle_id  text NOT NULL REFERENCES vehicles (id),
  kind        text NOT NULL CHECK (kind IN ('SPEEDING', 'RED_LIGHT', 'PARKING', 'NO_SEATBELT', 'PHONE_WHILE_DRIVING', 'FAILURE_TO_YIELD')),
  location    text NOT NULL,
  fine        numeric(14, 2) NOT NULL CHECK (fine >= 0),
  currency    char(3) NOT NULL,
  points      integer NOT NULL CHECK (points BETWEEN 0 AND 12),
  status      text NOT NULL CHECK (status IN ('PAID', 'UNPAID', 'CONTESTED'))
);
CREATE INDEX violations_citizen_page ON violations (citizen_id, occurred_at DESC, id DESC);
