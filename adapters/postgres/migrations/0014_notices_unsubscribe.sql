-- 0014_notices_unsubscribe: the new-invoice notice job, the one-click
-- unsubscribe links and the dashboard's failed mails (issue 15, items 1,
-- 3 and 6).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- InvoicesToAnnounce: the biller's unpaid invoices by arrival, from the
-- job's lookback on. Partial like invoices_unpaid_due_idx: paid invoices,
-- the bulk of a biller's history, are not in it. Built once on a large
-- table (about 1 s per million unpaid invoices).
CREATE INDEX invoices_unpaid_created_idx ON invoices (biller_id, created_at, payer_id, id) WHERE state = 'unpaid';

-- The biller a mail is sent for, so that its dashboard counts its own
-- failed mails. NULL for the mails queued before (and those of no
-- biller): added without rewriting the table.
ALTER TABLE outbox ADD COLUMN biller_id uuid;
-- CountFailedMails: few rows, the failed mails only.
CREATE INDEX outbox_failed_biller_idx ON outbox (biller_id, created_at) WHERE state = 'failed';

-- The portal's own keys (ports.SecretStore), shared by every instance:
-- the key of the unsubscribe links' HMAC. Inserted once, never changed.
CREATE TABLE portal_secrets (
	name       text PRIMARY KEY,
	value      bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
