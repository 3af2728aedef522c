package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// NoticeStore keeps the "sent once" record of the notices and reminders
// (issue 15, items 1 and 2): one row per invoice and kind.
type NoticeStore interface {
	// RecordNotice records that the invoice got the mail of kind at at,
	// and returns true; or false when that invoice and kind were recorded
	// already (by another instance, an earlier run). Called in the
	// transaction that queues the mail, so that both commit or neither and
	// no invoice gets a kind twice.
	RecordNotice(ctx context.Context, billerID, invoiceID uuid.UUID, kind domain.NoticeKind, at time.Time) (bool, error)
	// RecordNotices is RecordNotice for many invoices of the biller in one
	// write: it returns the ids of those it recorded now, in no particular
	// order, leaving out those recorded already. The notice jobs mail only
	// the invoices it returns.
	RecordNotices(ctx context.Context, billerID uuid.UUID, invoiceIDs []uuid.UUID, kind domain.NoticeKind, at time.Time) ([]uuid.UUID, error)
	// InvoicesToRemind returns up to limit unpaid invoices of the query's
	// biller due from From to To (both included) with no notice of the
	// query's kind recorded, by due date then number, strictly after the
	// key (AfterDue, AfterNumber) when AfterNumber is set: keyset
	// pagination over the unpaid invoices' due-date index.
	InvoicesToRemind(ctx context.Context, q RemindQuery) ([]domain.Invoice, error)
	// InvoicesToAnnounce returns up to limit unpaid invoices of the
	// query's biller created at or after Since with no new_invoice notice
	// whose payer has an active account with notices on, activated at or
	// before the invoice's creation, by creation time, payer then id
	// (a payer's invoices of one arrival come together, so that a batch
	// boundary splits at most one payer's list in two mails), strictly
	// after the key (AfterCreated, AfterPayer, AfterID) when AfterID is set. The
	// account's conditions are a pre-filter (domain.Account.Announces
	// decides, in the job's transaction): they keep the walk to the
	// invoices that may be announced, however many others arrived.
	InvoicesToAnnounce(ctx context.Context, q AnnounceQuery) ([]domain.Invoice, error)
	// CountNotices returns how many notices of each kind the biller's
	// invoices got at or after since.
	CountNotices(ctx context.Context, billerID uuid.UUID, since time.Time) (map[domain.NoticeKind]int, error)
	// PayerNotices returns up to limit notices and reminders recorded for
	// the payer's invoices, newest first (then by invoice number and kind):
	// « Mes données ».
	PayerNotices(ctx context.Context, payerID uuid.UUID, limit int) ([]SentNotice, error)
}

// SentNotice is one recorded notice or reminder of an invoice.
type SentNotice struct {
	InvoiceID     uuid.UUID
	InvoiceNumber string
	Kind          domain.NoticeKind
	SentAt        time.Time
}

// RemindQuery selects one batch of InvoicesToRemind.
type RemindQuery struct {
	BillerID    uuid.UUID
	Kind        domain.NoticeKind
	From, To    domain.Date
	AfterDue    domain.Date
	AfterNumber string
	Limit       int
}

// AnnounceQuery selects one batch of InvoicesToAnnounce.
type AnnounceQuery struct {
	BillerID     uuid.UUID
	Since        time.Time
	AfterCreated time.Time
	AfterPayer   uuid.UUID
	AfterID      uuid.UUID
	Limit        int
}
