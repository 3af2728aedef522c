-- 0013_notices: new-invoice notices and reminders (issue 15, items 1 to 3).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- The biller's « Avis et relances » settings: reminders off by default.
ALTER TABLE billers
	ADD COLUMN reminders_enabled boolean NOT NULL DEFAULT false,
	ADD COLUMN reminder_days_before integer NOT NULL DEFAULT 5,
	ADD COLUMN reminder_after_enabled boolean NOT NULL DEFAULT false,
	ADD COLUMN reminder_days_after integer NOT NULL DEFAULT 7;

-- The payer's choices in « Mes informations »: both mails on by default.
ALTER TABLE accounts
	ADD COLUMN notices_off boolean NOT NULL DEFAULT false,
	ADD COLUMN reminders_off boolean NOT NULL DEFAULT false;

-- The "sent once" record: one row per invoice and kind, inserted with
-- ON CONFLICT DO NOTHING in the transaction that queues the mail, so that
-- no invoice gets a kind twice whatever the number of instances.
CREATE TABLE invoice_notices (
	invoice_id uuid NOT NULL REFERENCES invoices,
	kind       text NOT NULL CHECK (kind IN ('new_invoice', 'reminder_before', 'reminder_after')),
	biller_id  uuid NOT NULL REFERENCES billers,
	sent_at    timestamptz NOT NULL,
	PRIMARY KEY (invoice_id, kind)
);
-- CountNotices: the dashboard's notices of this month.
CREATE INDEX invoice_notices_biller_idx ON invoice_notices (biller_id, sent_at);
-- InvoicesToRemind walks invoices_unpaid_due_idx (0001) by (due_date,
-- number) and probes the primary key above for each.
