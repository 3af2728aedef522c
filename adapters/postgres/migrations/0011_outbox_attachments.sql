-- A mail of the outbox may carry a one-click unsubscribe address (sent as
-- List-Unsubscribe, RFC 8058) and attachments (a payment's receipt, for
-- example), kept with the mail until it is sent. Both default to nothing,
-- which is what every mail queued before held: the columns are added
-- without rewriting the table.
ALTER TABLE outbox
	ADD COLUMN list_unsubscribe text NOT NULL DEFAULT '',
	-- A JSON array of {"name", "content_type", "data" (base64)}.
	ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
