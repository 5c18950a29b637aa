-- An export rebate is paid after it is approved (payExportRebate): when, on the rebate itself.
-- Rows already PAID before this migration get a payment date 30 days after they were filed (the
-- seed writes the same), so that every PAID rebate has one and no other rebate has.
ALTER TABLE export_rebates ADD COLUMN paid_at timestamptz;
UPDATE export_rebates SET paid_at = occurred_at + interval '30 days' WHERE status = 'PAID' AND paid_at IS NULL;
ALTER TABLE export_rebates ADD CONSTRAINT export_rebates_paid_iff_paid_at
  CHECK ((status = 'PAID') = (paid_at IS NOT NULL) AND (paid_at IS NULL OR paid_at >= occurred_at));
