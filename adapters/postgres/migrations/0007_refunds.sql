-- 0007_refunds: the double payments to refund (« À rembourser »): a
-- confirmed "paid" that reached an invoice already paid. The invoice
-- stays paid once; the extra payment's share is owed to the payer until
-- a staff member records the refund.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

CREATE TABLE refunds (
	id                 uuid PRIMARY KEY,
	biller_id          uuid NOT NULL REFERENCES billers,
	payer_id           uuid NOT NULL,
	invoice_id         uuid NOT NULL,
	invoice_number     text NOT NULL,
	amount             numeric(12,2) NOT NULL CHECK (amount >= 0),
	-- The extra payment and its PayFiP references.
	payment_id         uuid NOT NULL REFERENCES payments,
	refdet             text NOT NULL,
	operation_id       text NOT NULL,
	authorization_code text NOT NULL,
	transaction_at     timestamptz,
	-- The earlier settlement: NULL payment when paid outside the portal.
	earlier_payment_id uuid,
	earlier_refdet     text NOT NULL,
	earlier_paid_at    timestamptz,
	created_at         timestamptz NOT NULL,
	refunded_at        timestamptz,
	refunded_by        text NOT NULL,
	-- One refund per invoice of a payment, however often its "paid" arrives.
	CONSTRAINT refunds_payment_invoice_key UNIQUE (payment_id, invoice_id)
);

-- Refunds: the biller's refunds, newest first, and those still to do
-- (the back office's default list and the dashboard's count).
CREATE INDEX refunds_biller_idx ON refunds (biller_id, created_at DESC, id DESC);
CREATE INDEX refunds_biller_pending_idx ON refunds (biller_id, created_at DESC, id DESC) WHERE refunded_at IS NULL;
-- RefundsByInvoice: the citizen's invoice page.
CREATE INDEX refunds_invoice_idx ON refunds (invoice_id, created_at, id);
