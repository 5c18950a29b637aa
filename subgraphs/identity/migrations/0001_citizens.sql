CREATE TABLE households (
  id          text PRIMARY KEY,
  line1       text NOT NULL,
  city        text NOT NULL,
  province    text NOT NULL,
  postal_code text NOT NULL
);

CREATE TABLE citizens (
  id           text PRIMARY KEY,
  national_id  text NOT NULL UNIQUE CHECK (national_id ~ '^[0-9]{17}[0-9X]$'),
  given_name   text NOT NULL,
  family_name  text NOT NULL,
  birth_date   date NOT NULL,
  sex          text CHECK (sex IN ('FEMALE', 'MALE')),
  household_id text REFERENCES households (id)
);

CREATE INDEX citizens_household_id ON citizens (household_id);
