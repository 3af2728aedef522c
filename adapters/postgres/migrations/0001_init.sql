-- 0001_init: the portal's first schema.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.
--
-- Business rules stay in the domain package: the constraints below only
-- keep the data consistent (references, uniqueness, the sets of states),
-- so that a bug or a hand-made UPDATE cannot store what no code can read.
-- Money is NUMERIC(12,2), instants timestamptz (NULL for Go's zero time),
-- calendar dates DATE.

CREATE TABLE billers (
	id                  uuid PRIMARY KEY,
	name                text NOT NULL,
	numcli              text NOT NULL,
	saisie              text NOT NULL CHECK (saisie IN ('T', 'X', 'W')),
	email               text NOT NULL,
	notice              text NOT NULL,
	home_text           text NOT NULL,
	multiple_payments   boolean NOT NULL,
	suspension_active   boolean NOT NULL,
	suspension_message  text NOT NULL,
	suspension_from     timestamptz,
	suspension_until    timestamptz,
	treasury_delay_days integer NOT NULL,
	min_password_length integer NOT NULL,
	lock_duration       interval NOT NULL,
	min_amount          numeric(12,2) NOT NULL,
	max_amount          numeric(12,2) NOT NULL,
	created_at          timestamptz NOT NULL,
	updated_at          timestamptz NOT NULL
);

CREATE TABLE payers (
	id                     uuid PRIMARY KEY,
	biller_id              uuid NOT NULL REFERENCES billers,
	external_ref           text COLLATE "C" NOT NULL, -- compared byte for byte, as in Go
	name                   text NOT NULL,
	email                  text NOT NULL, -- normalised; '' when unknown
	paperless              boolean NOT NULL,
	paperless_requested_at timestamptz,
	created_at             timestamptz NOT NULL,
	updated_at             timestamptz NOT NULL,
	CONSTRAINT payers_biller_ref_key UNIQUE (biller_id, external_ref),
	-- The target of the composite references below: an account, an
	-- invoice or a message belongs to a payer of its own biller.
	CONSTRAINT payers_id_biller_key UNIQUE (id, biller_id)
);
-- Emails are unique per biller, case-insensitively; many payers have none.
CREATE UNIQUE INDEX payers_biller_email_key ON payers (biller_id, lower(email)) WHERE email <> '';

CREATE TABLE accounts (
	id            uuid PRIMARY KEY,
	biller_id     uuid NOT NULL,
	payer_id      uuid NOT NULL,
	email         text NOT NULL,
	password_hash text NOT NULL,
	state         text NOT NULL CHECK (state IN ('pending', 'active')),
	activated_at  timestamptz,
	last_login_at timestamptz,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	CONSTRAINT accounts_payer_key UNIQUE (payer_id),
	CONSTRAINT accounts_payer_fkey FOREIGN KEY (payer_id, biller_id) REFERENCES payers (id, biller_id)
);
CREATE UNIQUE INDEX accounts_biller_email_key ON accounts (biller_id, lower(email)) WHERE email <> '';

CREATE TABLE tokens (
	hash       text PRIMARY KEY, -- hex SHA-256 of the link's secret
	account_id uuid NOT NULL REFERENCES accounts,
	purpose    text NOT NULL CHECK (purpose IN ('activation', 'reset', 'email_change')),
	new_email  text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	revoked_at timestamptz
);
-- OpenTokens.
CREATE INDEX tokens_open_idx ON tokens (account_id, purpose) WHERE used_at IS NULL AND revoked_at IS NULL;

CREATE TABLE payments (
	id                  uuid PRIMARY KEY,
	biller_id           uuid NOT NULL REFERENCES billers,
	payer_id            uuid NOT NULL REFERENCES payers,
	account_id          uuid NOT NULL REFERENCES accounts,
	refdet              text NOT NULL,
	numcli              text NOT NULL,
	year                integer NOT NULL,
	total               numeric(12,2) NOT NULL,
	email               text NOT NULL,
	object              text NOT NULL,
	state               text NOT NULL CHECK (state IN ('created', 'in_progress', 'paid', 'refused', 'abandoned', 'expired', 'failed')),
	operation_id        text NOT NULL, -- '' until the gateway gives one
	authorization_code  text NOT NULL,
	transaction_at      timestamptz,
	method              text NOT NULL CHECK (method IN ('', 'card', 'direct_debit')),
	confirmed           boolean NOT NULL,
	abandon_reported_at timestamptz,
	anomaly             text NOT NULL,
	last_code           text NOT NULL,
	created_at          timestamptz NOT NULL,
	updated_at          timestamptz NOT NULL,
	finished_at         timestamptz,
	CONSTRAINT payments_refdet_key UNIQUE (refdet)
);
CREATE UNIQUE INDEX payments_operation_key ON payments (operation_id) WHERE operation_id <> '';
-- LivePayments.
CREATE INDEX payments_live_idx ON payments (created_at, id) WHERE state IN ('created', 'in_progress');

CREATE TABLE invoices (
	id               uuid PRIMARY KEY,
	biller_id        uuid NOT NULL,
	payer_id         uuid NOT NULL,
	-- Byte order, as Go compares strings: the lists sort by number.
	number           text COLLATE "C" NOT NULL,
	issue_date       date NOT NULL,
	due_date         date NOT NULL,
	amount           numeric(12,2) NOT NULL,
	object           text NOT NULL,
	pdf              text NOT NULL,
	state            text COLLATE "C" NOT NULL CHECK (state IN ('unpaid', 'paid', 'treasury')),
	-- domain.Invoice.Tab(), written by every save so that the lists filter
	-- on it without repeating the rule in SQL. Codes such as the state and
	-- the tab are compared byte for byte ("C"): faster in an index than a
	-- language's collation.
	tab              text COLLATE "C" NOT NULL CHECK (tab IN ('non-reglees', 'reglees', 'tresorerie')),
	paid_at          timestamptz,
	-- An invoice refers to the payment that settled it, and a payment to
	-- its invoices (payment_invoices): these references are checked at
	-- commit, so a transaction may save the two in any order.
	payment_id       uuid REFERENCES payments DEFERRABLE INITIALLY DEFERRED,
	declared_paid_at timestamptz,
	treasury_at      timestamptz,
	-- The attempt holding the invoice, until locked_until. Not a foreign
	-- key: the hold is transient, and a reference checked on every row
	-- would slow the COPY of large imports down for nothing.
	locked_by        uuid,
	locked_until     timestamptz,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL,
	CONSTRAINT invoices_biller_number_key UNIQUE (biller_id, number),
	CONSTRAINT invoices_payer_fkey FOREIGN KEY (payer_id, biller_id) REFERENCES payers (id, biller_id)
);
-- ListInvoices: one payer's tab, newest issue date first, then by number
-- descending; the page and the count come from this index alone.
CREATE INDEX invoices_payer_tab_idx ON invoices (payer_id, tab, issue_date DESC, number DESC);
-- InvoicesDueBefore: the biller's unpaid invoices by due date.
CREATE INDEX invoices_unpaid_due_idx ON invoices (biller_id, due_date, number) WHERE state = 'unpaid';

-- The invoices of a payment, in the payment's order, with their numbers as
-- they were when the attempt began.
CREATE TABLE payment_invoices (
	payment_id     uuid NOT NULL REFERENCES payments,
	ord            integer NOT NULL,
	invoice_id     uuid NOT NULL REFERENCES invoices DEFERRABLE INITIALLY DEFERRED,
	invoice_number text NOT NULL,
	PRIMARY KEY (payment_id, ord)
);

CREATE TABLE messages (
	id         uuid PRIMARY KEY,
	biller_id  uuid NOT NULL,
	payer_id   uuid NOT NULL,
	account_id uuid NOT NULL REFERENCES accounts,
	kind       text NOT NULL CHECK (kind IN ('contact', 'paperless')),
	from_email text NOT NULL,
	subject    text NOT NULL,
	body       text NOT NULL,
	state      text NOT NULL CHECK (state IN ('new', 'handled')),
	created_at timestamptz NOT NULL,
	handled_at timestamptz,
	CONSTRAINT messages_payer_fkey FOREIGN KEY (payer_id, biller_id) REFERENCES payers (id, biller_id)
);
-- Messages: the biller's, newest first.
CREATE INDEX messages_biller_idx ON messages (biller_id, created_at DESC, id DESC);

-- Browser sessions, shared by every portal instance. The id is the hash of
-- the cookie's secret. A session names its account but does not reference
-- it: the session store stands on its own (ports.SessionStore).
CREATE TABLE sessions (
	id            text PRIMARY KEY,
	biller_id     uuid NOT NULL,
	account_id    uuid NOT NULL,
	csrf_token    text NOT NULL,
	notice_closed boolean NOT NULL,
	persistent    boolean NOT NULL,
	created_at    timestamptz NOT NULL,
	expires_at    timestamptz NOT NULL
);
-- DeleteAccountSessions and DeleteExpiredSessions.
CREATE INDEX sessions_account_idx ON sessions (account_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
