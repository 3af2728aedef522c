-- 0005_backoffice_search: indexes for the back office's invoice search
-- and a payer's messages.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- SearchInvoices without a payer or a number (the back office's invoice
-- list): the biller's invoices newest issue date first, the page read
-- from the end of the biller's range (a backward scan) instead of
-- sorting all its invoices. Ascending, unlike the lists' order: imports
-- bring increasing dates and numbers, which then go to the index's
-- rightmost page, filled to 90 %, where descending keys would split its
-- leftmost pages in halves (an index of twice the size after an import
-- of 1 000 000 invoices). The state is included so that a count by state
-- reads the index alone.
CREATE INDEX invoices_biller_issue_idx ON invoices (biller_id, issue_date, number, id) INCLUDE (state);

-- SearchMessages of one payer (the back office's payer page), newest first.
CREATE INDEX messages_payer_idx ON messages (payer_id, created_at DESC, id DESC);
