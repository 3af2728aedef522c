-- 0009_refund_cancelled: a double payment to refund may be cancelled
-- (« Annulé »): the payment that settled the invoice first was rejected
-- by the billing service (money never received), so the extra payment
-- settles the invoice instead and nothing is owed to the payer. The
-- refund is kept, with when and why, rather than deleted: the service may
-- already have exported the list or begun the refund.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

ALTER TABLE refunds
	ADD COLUMN cancelled_at  timestamptz,
	ADD COLUMN cancel_reason text NOT NULL DEFAULT '';

-- The refunds to do are those neither refunded nor cancelled. The partial
-- index refunds_biller_pending_idx (refunded_at IS NULL) still serves
-- them: its condition is implied by theirs, and cancelled refunds are few.
