-- The mail outbox: every mail is written in the transaction of the change
-- that causes it, then delivered by the sender of any portal instance
-- (ports.Outbox). Rows are claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE outbox (
	id              uuid PRIMARY KEY,
	mail_to         text NOT NULL,
	reply_to        text NOT NULL,
	subject         text NOT NULL,
	body_text       text NOT NULL,
	body_html       text NOT NULL,
	state           text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
	attempts        integer NOT NULL CHECK (attempts >= 0),
	next_attempt_at timestamptz NOT NULL,
	last_error      text NOT NULL,
	created_at      timestamptz NOT NULL,
	sent_at         timestamptz
);
-- The sender's query: the pending mails due, oldest first.
CREATE INDEX outbox_pending_idx ON outbox (created_at, id) WHERE state = 'pending';
-- The operator's count of failed mails.
CREATE INDEX outbox_failed_idx ON outbox (id) WHERE state = 'failed';
