-- The reads made for one application (Application.evidenceReads): the department's fetches carry
-- the application id as their case.
CREATE INDEX access_trail_case ON access_trail (case_id, seq) WHERE case_id IS NOT NULL;
