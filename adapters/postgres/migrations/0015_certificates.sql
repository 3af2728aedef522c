-- 0015_certificates: the yearly certificate of payments (issue 15, item 5).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- The biller's « Attestation annuelle » settings: not offered by default.
ALTER TABLE billers
	ADD COLUMN certificate_offered boolean NOT NULL DEFAULT false,
	ADD COLUMN certificate_title text NOT NULL DEFAULT '',
	ADD COLUMN certificate_legal text NOT NULL DEFAULT '',
	ADD COLUMN certificate_match text NOT NULL DEFAULT '';

-- PaidInvoices: one payer's paid invoices of a year (biller_id, payer_id,
-- paid_at range), and every payer's of a year walked by payer id in
-- batches for the ZIP of all certificates (the distinct payer ids after
-- a key read from the index in order, stopping at the batch's size).
CREATE INDEX invoices_paid_payer_idx ON invoices (biller_id, payer_id, paid_at) WHERE state = 'paid';
