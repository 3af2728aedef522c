-- 0014_documents: the verification codes of the payment receipts and the
-- yearly certificates (issue 15), with what the public page /verification
-- may show: biller, payer's name, total, date. One code per document
-- (biller_id, doc_key): the same document asked twice keeps its code.
-- The yearly certificate's settings, kept on the biller.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

CREATE TABLE verifications (
	code        text PRIMARY KEY,
	biller_id   uuid NOT NULL REFERENCES billers,
	doc_key     text NOT NULL,
	kind        text NOT NULL,
	biller_name text NOT NULL,
	payer_name  text NOT NULL,
	total       numeric(12,2) NOT NULL,
	document_at timestamptz NOT NULL,
	created_at  timestamptz NOT NULL,
	CONSTRAINT verifications_document_key UNIQUE (biller_id, doc_key)
);
