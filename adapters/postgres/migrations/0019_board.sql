-- 0019_board: the summary behind the back office dashboard's charts
-- (issue 16, part 5).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- RefreshBoard rewrites these tables in one transaction (the board job,
-- board.refresh_interval); BoardFigures reads them by primary key, so a
-- chart costs a few rows however many invoices the biller has. Nothing
-- refers to them: they can be emptied at any time and the next run fills
-- them again.

-- One row per biller and Paris month of the window (the charts' 13 months
-- and the year before them): the invoices paid in the month by channel
-- (domain.Invoice.Channel: a payment, else a confirmed declaration, else
-- the counter), and the payers and active accounts at the month's end.
CREATE TABLE board_months (
	biller_id     uuid NOT NULL,
	month         date NOT NULL, -- the month's first day
	online        numeric NOT NULL,
	counter       numeric NOT NULL,
	declared      numeric NOT NULL,
	paid_online   integer NOT NULL,
	paid_counter  integer NOT NULL,
	paid_declared integer NOT NULL,
	payers        integer NOT NULL,
	activated     integer NOT NULL,
	PRIMARY KEY (biller_id, month)
);

-- One row per biller and due date of its unpaid invoices.
CREATE TABLE board_outstanding (
	biller_id uuid NOT NULL,
	due_date  date NOT NULL,
	amount    numeric NOT NULL,
	invoices  integer NOT NULL,
	PRIMARY KEY (biller_id, due_date)
);

-- When the tables were last computed: one row at most.
CREATE TABLE board_refreshes (
	only_one     boolean PRIMARY KEY DEFAULT true CHECK (only_one),
	refreshed_at timestamptz NOT NULL
);
