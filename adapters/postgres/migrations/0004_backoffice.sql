-- 0004_backoffice: the billing service's back office, its API and the
-- scheduled jobs (ports.BackOfficeTx).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- The host names a biller's portal answers on (domain.Biller.Hosts), in
-- the biller's order. A host belongs to one biller only.
CREATE TABLE biller_hosts (
	host      text COLLATE "C" PRIMARY KEY, -- domain.NormalizeHost form
	biller_id uuid NOT NULL REFERENCES billers,
	ord       integer NOT NULL
);
-- Reading a biller's hosts.
CREATE INDEX biller_hosts_biller_idx ON biller_hosts (biller_id, ord);

-- Members of a billing service with access to its back office. Emails are
-- normalised by the domain and compared byte for byte, as in Go; the lists
-- sort by them.
CREATE TABLE staff (
	id            uuid PRIMARY KEY,
	biller_id     uuid NOT NULL REFERENCES billers,
	email         text COLLATE "C" NOT NULL,
	name          text NOT NULL,
	role          text NOT NULL CHECK (role IN ('gestionnaire', 'lecture')),
	password_hash text NOT NULL,
	disabled      boolean NOT NULL,
	last_login_at timestamptz,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	-- StaffByEmail and StaffMembers read it too.
	CONSTRAINT staff_biller_email_key UNIQUE (biller_id, email)
);

-- The billing software's API keys; only the hash of a secret is kept.
CREATE TABLE api_keys (
	id           uuid PRIMARY KEY,
	biller_id    uuid NOT NULL REFERENCES billers,
	name         text NOT NULL,
	hash         text NOT NULL, -- hex SHA-256 of the whole key
	hint         text NOT NULL,
	created_at   timestamptz NOT NULL,
	revoked_at   timestamptz,
	last_used_at timestamptz,
	CONSTRAINT api_keys_hash_key UNIQUE (hash)
);
-- APIKeys: the biller's keys, oldest first.
CREATE INDEX api_keys_biller_idx ON api_keys (biller_id, created_at, id);

-- The audit log: rows are inserted, never updated. Not a reference to the
-- actor: staff, accounts and keys may go, their past actions stay.
CREATE TABLE audit_events (
	id          uuid PRIMARY KEY,
	biller_id   uuid NOT NULL REFERENCES billers,
	at          timestamptz NOT NULL,
	actor       text COLLATE "C" NOT NULL CHECK (actor IN ('staff', 'citizen', 'api', 'system')),
	actor_id    uuid, -- NULL when unknown
	actor_label text NOT NULL,
	-- Compared byte for byte: the filter takes a prefix ("citizen.").
	action      text COLLATE "C" NOT NULL,
	target      text NOT NULL,
	detail      text NOT NULL,
	ip          text NOT NULL
);
-- AuditEvents: the biller's log, newest first; the other filters apply
-- to the rows of that range.
CREATE INDEX audit_events_biller_at_idx ON audit_events (biller_id, at DESC, id DESC);

-- Invoice documents (PDF) the billing software sends, by name within the
-- biller. PostgreSQL stores large values out of line (TOAST), so the
-- table's pages hold little more than the keys.
CREATE TABLE documents (
	biller_id  uuid NOT NULL REFERENCES billers,
	name       text COLLATE "C" NOT NULL,
	sha256     text NOT NULL,
	data       bytea NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (biller_id, name)
);

-- The steps of a payment attempt, for the back office. The reference to
-- the payment is checked at commit, like those between invoices and
-- payments, so a transaction may save the two in any order.
CREATE TABLE payment_events (
	id         uuid PRIMARY KEY,
	payment_id uuid NOT NULL REFERENCES payments DEFERRABLE INITIALLY DEFERRED,
	biller_id  uuid NOT NULL REFERENCES billers,
	at         timestamptz NOT NULL,
	state      text NOT NULL CHECK (state IN ('created', 'in_progress', 'paid', 'refused', 'abandoned', 'expired', 'failed', 'rejected')),
	code       text NOT NULL,
	detail     text NOT NULL
);
-- PaymentEvents: a payment's timeline, oldest first.
CREATE INDEX payment_events_payment_idx ON payment_events (payment_id, at, id);

-- The runs of the daily jobs: the first instance to insert (job, key)
-- runs it, the others find the row and skip.
CREATE TABLE job_runs (
	job text COLLATE "C" NOT NULL,
	key text COLLATE "C" NOT NULL,
	at  timestamptz NOT NULL,
	PRIMARY KEY (job, key)
);

-- A back-office session is a staff member's, not a citizen's. A constant
-- default: existing rows (citizens' sessions) need no rewrite.
ALTER TABLE sessions ADD COLUMN staff boolean NOT NULL DEFAULT false;

-- Cancelled invoices (domain.InvoiceCancelled, tab "annulees"). The new
-- sets contain the old ones, so every row already satisfies them: they
-- are added NOT VALID, which spares a scan of a table of millions of rows
-- under an exclusive lock. PostgreSQL checks them on every insert and
-- update all the same; a later release may VALIDATE them, which blocks no
-- writes.
ALTER TABLE invoices
	DROP CONSTRAINT invoices_state_check,
	DROP CONSTRAINT invoices_tab_check,
	ADD CONSTRAINT invoices_state_check CHECK (state IN ('unpaid', 'paid', 'treasury', 'cancelled')) NOT VALID,
	ADD CONSTRAINT invoices_tab_check CHECK (tab IN ('non-reglees', 'reglees', 'tresorerie', 'annulees')) NOT VALID;

-- Payments the billing service rejected (domain.PaymentRejected: a
-- legacy-mode "paid" it never received). Added NOT VALID for the same
-- reason.
ALTER TABLE payments
	DROP CONSTRAINT payments_state_check,
	ADD CONSTRAINT payments_state_check CHECK (state IN ('created', 'in_progress', 'paid', 'refused', 'abandoned', 'expired', 'failed', 'rejected')) NOT VALID;

-- The back office's lists on the large tables. Each reads a range of one
-- biller's rows in the order of the list, so a page costs the same
-- whatever the table's size.

-- Payments: the biller's, newest first; the payer's history; the paid
-- attempts waiting for the service's confirmation; the anomalies. The
-- last two are small partial indexes.
CREATE INDEX payments_biller_created_idx ON payments (biller_id, created_at DESC, id DESC);
CREATE INDEX payments_payer_created_idx ON payments (payer_id, created_at DESC, id DESC);
CREATE INDEX payments_unconfirmed_idx ON payments (biller_id, created_at DESC, id DESC)
	WHERE state = 'paid' AND NOT confirmed;
CREATE INDEX payments_anomaly_idx ON payments (biller_id, created_at DESC, id DESC) WHERE anomaly <> '';

-- Invoices the payer declared paid, waiting for the service: few rows.
CREATE INDEX invoices_declared_idx ON invoices (biller_id, issue_date DESC, number DESC, id DESC)
	WHERE state = 'unpaid' AND declared_paid_at IS NOT NULL;

-- SearchPayers: the start of a name, whatever its case ("C" makes the
-- prefix comparison an index range), and the list by name.
CREATE INDEX payers_biller_lower_name_idx ON payers (biller_id, lower(name) COLLATE "C");
CREATE INDEX payers_biller_name_idx ON payers (biller_id, name COLLATE "C", external_ref, id);
