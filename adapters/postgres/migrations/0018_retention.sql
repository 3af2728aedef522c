-- 0018_retention: closed accounts and the erasure of their personal data
-- after the biller's retention period (issue 16, item 7).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- How long a closed account's personal data are kept, in months
-- (domain.DefaultRetentionMonths).
ALTER TABLE billers ADD COLUMN retention_months integer NOT NULL DEFAULT 12;

-- An account may be closed; the retention job erases its data later.
ALTER TABLE accounts
	DROP CONSTRAINT accounts_state_check,
	ADD CONSTRAINT accounts_state_check CHECK (state IN ('pending', 'active', 'closed')),
	ADD COLUMN closed_at timestamptz,
	ADD COLUMN anonymised_at timestamptz;

-- A closed account frees its payer and its address: the payer may
-- activate a new account, with the same address. The unique rules hold
-- among the accounts not closed; the names stay, for the error mapping.
ALTER TABLE accounts DROP CONSTRAINT accounts_payer_key;
CREATE UNIQUE INDEX accounts_payer_key ON accounts (payer_id) WHERE state <> 'closed';
DROP INDEX accounts_biller_email_key;
CREATE UNIQUE INDEX accounts_biller_email_key ON accounts (biller_id, lower(email))
	WHERE email <> '' AND state <> 'closed';

-- ClosedAccounts: the biller's closed accounts still to erase, by closure.
CREATE INDEX accounts_closed_idx ON accounts (biller_id, closed_at, id)
	WHERE state = 'closed' AND anonymised_at IS NULL;
-- LastClosedAccount: a payer's closed accounts.
CREATE INDEX accounts_payer_closed_idx ON accounts (payer_id, closed_at) WHERE state = 'closed';
-- AccountMessages and AccountAuditEvents: an account's messages and its
-- own lines of the audit log.
CREATE INDEX messages_account_idx ON messages (account_id, created_at, id);
CREATE INDEX audit_events_citizen_idx ON audit_events (actor_id, at, id) WHERE actor = 'citizen';
-- DeleteAccountTokens: tokens_open_idx covers only open links.
CREATE INDEX tokens_account_idx ON tokens (account_id);
