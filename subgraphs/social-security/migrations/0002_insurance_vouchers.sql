-- Medical-insurance e-vouchers: an approved MEDICAL_INSURANCE_VOUCHER application issues one; a
-- health facility redeems it once (lib/procedures.ts). Read through (citizen_id, occurred_at, id)
-- like every record table.
CREATE TABLE insurance_vouchers (
  id             text PRIMARY KEY,
  citizen_id     text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  application_id text NOT NULL UNIQUE,
  amount         numeric(14, 2) NOT NULL CHECK (amount > 0),
  currency       char(3) NOT NULL,
  valid_until    date NOT NULL,
  -- Set together when a health facility redeems the voucher, never before.
  redeemed_at    timestamptz,
  facility_id    text,
  encounter_id   text,
  CHECK ((redeemed_at IS NULL) = (facility_id IS NULL) AND (redeemed_at IS NULL) = (encounter_id IS NULL))
);
CREATE INDEX insurance_vouchers_citizen_page ON insurance_vouchers (citizen_id, occurred_at DESC, id DESC);
