CREATE TABLE businesses (
  id                  text PRIMARY KEY,
  registration_number text NOT NULL,
  name                text NOT NULL,
  sector              text NOT NULL CHECK (sector IN ('MANUFACTURING', 'RETAIL', 'SOFTWARE', 'LOGISTICS', 'CONSTRUCTION',
                                                      'AGRICULTURE', 'HEALTHCARE', 'EDUCATION', 'FINANCE', 'HOSPITALITY')),
  city                text NOT NULL,
  founded_on          date NOT NULL,
  exporter            boolean NOT NULL
);

-- Who runs which business (its registered legal representative). The primary key leads with
-- citizen_id, so it also serves "the businesses this citizen runs".
CREATE TABLE business_owners (
  citizen_id  text NOT NULL,
  business_id text NOT NULL REFERENCES businesses (id),
  PRIMARY KEY (citizen_id, business_id)
);

-- Every record table carries citizen_id and is read through (citizen_id, occurred_at, id), so it
-- can be distributed by citizen_id later without changing a query.
CREATE TABLE tax_returns (
  id             text PRIMARY KEY,
  citizen_id     text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  tax_year       integer NOT NULL,
  employer_id    text NOT NULL REFERENCES businesses (id),
  gross_income   numeric(14, 2) NOT NULL CHECK (gross_income >= 0),
  taxable_income numeric(14, 2) NOT NULL CHECK (taxable_income >= 0 AND taxable_income <= gross_income),
  tax_due        numeric(14, 2) NOT NULL CHECK (tax_due >= 0 AND tax_due <= taxable_income),
  currency       char(3) NOT NULL,
  status         text NOT NULL CHECK (status IN ('FILED', 'ASSESSED', 'AMENDED', 'OVERDUE')),
  -- A return is filed after the year it covers ends.
  CHECK (extract(year FROM occurred_at AT TIME ZONE 'UTC') > tax_year),
  UNIQUE (citizen_id, tax_year)
);
CREATE INDEX tax_returns_citizen_page ON tax_returns (citizen_id, occurred_at DESC, id DESC);

CREATE TABLE tax_payments (
  id            text PRIMARY KEY,
  citizen_id    text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  tax_return_id text NOT NULL REFERENCES tax_returns (id),
  amount        numeric(14, 2) NOT NULL CHECK (amount > 0),
  currency      char(3) NOT NULL,
  method        text NOT NULL CHECK (method IN ('BANK_TRANSFER', 'ALIPAY', 'WECHAT_PAY', 'TAX_OFFICE_COUNTER'))
);
CREATE INDEX tax_payments_citizen_page ON tax_payments (citizen_id, occurred_at DESC, id DESC);

-- Paged two ways: a citizen's claims (TaxProfile.exportRebates) and a business's
-- (Business.exportRebates); one index for each.
CREATE TABLE export_rebates (
  id          text PRIMARY KEY,
  citizen_id  text NOT NULL,
  business_id text NOT NULL REFERENCES businesses (id),
  occurred_at timestamptz NOT NULL,
  goods       text NOT NULL,
  amount      numeric(14, 2) NOT NULL CHECK (amount > 0),
  currency    char(3) NOT NULL,
  status      text NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'PAID', 'REJECTED'))
);
CREATE INDEX export_rebates_citizen_page ON export_rebates (citizen_id, occurred_at DESC, id DESC);
CREATE INDEX export_rebates_business_page ON export_rebates (business_id, occurred_at DESC, id DESC);
