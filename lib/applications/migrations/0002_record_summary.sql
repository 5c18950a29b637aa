-- What the approval wrote, in words the applicant reads beside the record's id ("Enrollment at
-- Nanjing No. 3 Primary School from 2027-09-01"): the record itself may be a child's, which the
-- parent cannot read in the child's section, so the application says what became of it.
ALTER TABLE applications ADD COLUMN record_summary text;
