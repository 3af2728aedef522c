-- Payments and real money (issue #12).
--
-- Every attempt records the PayFiP environment it was created in and the
-- one the DGFiP echoed (T test, X activation, W production), and when its
-- hold on its invoices ends. Attempts recorded before have '' and NULL:
-- unknown environment, no hold. A result obtained in T ends the attempt
-- in the new state 'test' (domain.PaymentTest). The columns have constant
-- defaults (no rewrite of the table) and their constraints are added NOT
-- VALID, as in 0004: existing rows satisfy them, and a validation would
-- scan the table under an exclusive lock.
ALTER TABLE payments
	ADD COLUMN saisie text NOT NULL DEFAULT '',
	ADD COLUMN reported_saisie text NOT NULL DEFAULT '',
	ADD COLUMN locked_until timestamptz,
	ADD CONSTRAINT payments_saisie_check CHECK (saisie IN ('', 'T', 'X', 'W')) NOT VALID,
	ADD CONSTRAINT payments_reported_saisie_check CHECK (reported_saisie IN ('', 'T', 'X', 'W')) NOT VALID,
	DROP CONSTRAINT payments_state_check,
	ADD CONSTRAINT payments_state_check CHECK (state IN ('created', 'in_progress', 'paid', 'refused', 'abandoned', 'expired', 'failed', 'rejected', 'test')) NOT VALID;

-- The timeline's steps carry the state too.
ALTER TABLE payment_events
	DROP CONSTRAINT payment_events_state_check,
	ADD CONSTRAINT payment_events_state_check CHECK (state IN ('created', 'in_progress', 'paid', 'refused', 'abandoned', 'expired', 'failed', 'rejected', 'test')) NOT VALID;

-- An invoice settled by a payment known only from the legacy URL mode's
-- unauthenticated callback, until the service confirms it.
ALTER TABLE invoices
	ADD COLUMN awaiting_confirmation boolean NOT NULL DEFAULT false;

-- HeldPayments: attempts over without being paid that still hold their
-- invoices (domain.Payment.Holds) and can be asked about. Few rows: those
-- of the last lock duration.
CREATE INDEX payments_held_idx ON payments (locked_until, id)
	WHERE state IN ('abandoned', 'expired') AND operation_id <> '' AND saisie <> 'T';

-- EndedUnpaidPayments: the nightly pass over the attempts that ended
-- unpaid in the last 48 hours.
CREATE INDEX payments_ended_unpaid_idx ON payments (finished_at, id)
	WHERE state IN ('refused', 'abandoned', 'expired') AND operation_id <> '' AND saisie <> 'T';
