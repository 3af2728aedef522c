-- 0020_outbox_purge: the retention job deletes the mails that are over
-- (sent, or failed for good) once older than ports.MailRetention
-- (issue 16, part 7 follow-up): their recipient, subject and body are
-- personal data.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- PurgeMails: a biller's mails that are over, oldest first; the mails of
-- no biller (queued before 0014) are found with biller_id IS NULL. The
-- pending mails, which the sender reads, stay out of it. Building it
-- blocks writes to the outbox for the time of one pass over the table
-- (seconds for a million mails), once.
CREATE INDEX outbox_over_idx ON outbox (biller_id, created_at) WHERE state <> 'pending';
