package ports

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// « Mes données » (issue 16, part 6): the payer's right of access. One
// read-only snapshot gathers everything the portal holds about the logged-in
// payer and their account; the citizens' adapter shows it as a page and
// as a JSON download. Nothing in it is another payer's, and nothing in it
// opens anything: no password hash, no token, no session.

// The bounds of « Mes données »'s lists: each keeps the newest records up
// to its bound and says when it stopped there (MyData.Truncated). Forty
// years of monthly invoices fit; at every bound the JSON download is
// under two megabytes (README, "Right of access").
const (
	MyDataMaxInvoices = 2000
	MyDataMaxPayments = 1000
	MyDataMaxMessages = 500
	MyDataMaxEvents   = 1000
	MyDataMaxNotices  = 2000
)

// The names of MyData's lists, as MyData.Truncated gives them (the JSON
// download's section names).
const (
	MyDataInvoices = "invoices"
	MyDataPayments = "payments"
	MyDataMessages = "messages"
	MyDataEvents   = "account_events"
	MyDataNotices  = "notices"
)

// MyData is what the portal holds about one payer and their account.
type MyData struct {
	// ReadAt is when it was read.
	ReadAt time.Time
	// BillerName is the service that holds the data.
	BillerName string
	Identity   MyIdentity
	// PendingEmail is the address change asked and not confirmed yet;
	// nil when there is none.
	PendingEmail *MyPendingEmail
	// Notices and Reminders are the mail choices of « Mes informations ».
	Notices, Reminders bool
	Events             []MyEvent
	Invoices           []MyInvoice
	Payments           []MyPayment
	Messages           []MyMessage
	SentNotices        []MyNotice
	// Truncated names the lists that reached their bound (MyDataInvoices…):
	// older records exist and are not listed.
	Truncated []string
}

// MyIdentity is the payer as the billing service knows them, and their
// account on the portal.
type MyIdentity struct {
	Name     string
	PayerRef string
	// PayerEmail is the address the billing service gave; AccountEmail
	// the account's login (they differ after a confirmed change).
	PayerEmail           string
	AccountEmail         string
	AccountCreatedAt     time.Time
	ActivatedAt          time.Time
	LastLoginAt          time.Time
	Paperless            bool
	PaperlessRequestedAt time.Time
}

// MyPendingEmail is an address change waiting for its link to be followed.
type MyPendingEmail struct {
	NewEmail  string
	AskedAt   time.Time
	ExpiresAt time.Time
}

// MyEvent is one line of the audit log about the account.
type MyEvent struct {
	At     time.Time
	Action domain.AuditAction
	Detail string
	IP     string
}

// MyInvoice is one of the payer's invoices.
type MyInvoice struct {
	Number         string
	Object         string
	IssueDate      domain.Date
	DueDate        domain.Date
	Amount         decimal.Decimal
	State          domain.InvoiceState
	PaidAt         time.Time
	DeclaredPaidAt time.Time
	TreasuryAt     time.Time
}

// MyPayment is one online payment attempt of the payer.
type MyPayment struct {
	Reference string // the refdet sent to PayFiP
	CreatedAt time.Time
	// FinishedAt is when the result came; zero while it is awaited.
	FinishedAt     time.Time
	InvoiceNumbers []string
	Total          decimal.Decimal
	State          domain.PaymentState
	Method         domain.PaymentMethod
	// Email is the address PayFiP sent its receipt to.
	Email string
	// Test marks an attempt made in PayFiP's test environment: no money
	// moved.
	Test bool
}

// MyMessage is one message the payer sent the service.
type MyMessage struct {
	At        time.Time
	Kind      domain.MessageKind
	FromEmail string
	Subject   string
	Body      string
	State     domain.MessageState
	HandledAt time.Time
}

// MyNotice is one notice or reminder mailed about an invoice.
type MyNotice struct {
	At            time.Time
	Kind          domain.NoticeKind
	InvoiceNumber string
}

// MyData returns what the portal holds about the caller, read in one
// snapshot of the store (readSnapshot) so that its parts agree. Every
// read is scoped by the caller's biller, payer and account.
func (p Citizens) MyData(ctx context.Context, c Citizen) (MyData, error) {
	var d MyData
	now := p.clock.Now()
	err := p.readSnapshot(ctx, func(tx Tx) error {
		d = MyData{ReadAt: now}
		a, payer, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		b, err := tx.Biller(ctx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		d.BillerName = b.Name
		d.Identity = MyIdentity{
			Name: payer.Name, PayerRef: payer.ExternalRef, PayerEmail: payer.Email, AccountEmail: a.Email,
			AccountCreatedAt: a.CreatedAt, ActivatedAt: a.ActivatedAt, LastLoginAt: a.LastLoginAt,
			Paperless: payer.Paperless, PaperlessRequestedAt: payer.PaperlessRequestedAt,
		}
		d.Notices, d.Reminders = !a.NoticesOff, !a.RemindersOff
		if d.PendingEmail, err = pendingEmail(ctx, tx, a.ID, now); err != nil {
			return err
		}
		return d.readLists(ctx, tx, a, payer)
	})
	if err != nil {
		return MyData{}, err
	}
	return d, nil
}

// readSnapshot runs fn in one snapshot of the store when it offers one
// (Snapshots), in a transaction otherwise.
func (p Citizens) readSnapshot(ctx context.Context, fn func(tx Tx) error) error {
	if s, ok := p.store.(Snapshots); ok {
		return s.ReadSnapshot(ctx, fn)
	}
	return p.store.Atomic(ctx, fn)
}

// pendingEmail is the newest email-change link of the account still open
// at now; nil when none is.
func pendingEmail(ctx context.Context, tx Tx, accountID uuid.UUID, now time.Time) (*MyPendingEmail, error) {
	open, err := tx.OpenTokens(ctx, accountID, domain.TokenEmailChange)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	var out *MyPendingEmail
	for _, t := range open {
		if t.Check(domain.TokenEmailChange, now) != nil || (out != nil && !t.CreatedAt.After(out.AskedAt)) {
			continue
		}
		out = &MyPendingEmail{NewEmail: t.NewEmail, AskedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	}
	return out, nil
}

// readLists reads the account's events and the payer's invoices,
// payments, messages and notices, each newest first up to its bound:
// one more than the bound is read to know whether it was reached.
func (d *MyData) readLists(ctx context.Context, tx Tx, a domain.Account, payer domain.Payer) error {
	events, _, err := tx.AuditEvents(ctx, AuditQuery{BillerID: a.BillerID, ActorID: a.ID,
		Limit: MyDataMaxEvents + 1, CountUpTo: 1})
	if err != nil {
		return domain.WrapInternal(err)
	}
	events = bound(d, events, MyDataMaxEvents, MyDataEvents)
	for _, e := range events {
		d.Events = append(d.Events, MyEvent{At: e.At, Action: e.Action, Detail: e.Detail, IP: e.IP})
	}

	invoices, _, err := tx.SearchInvoices(ctx, InvoiceSearch{BillerID: a.BillerID, PayerID: payer.ID,
		Limit: MyDataMaxInvoices + 1, CountUpTo: 1})
	if err != nil {
		return domain.WrapInternal(err)
	}
	invoices = bound(d, invoices, MyDataMaxInvoices, MyDataInvoices)
	for _, inv := range invoices {
		d.Invoices = append(d.Invoices, MyInvoice{
			Number: inv.Number, Object: inv.Object, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
			Amount: inv.Amount, State: inv.State, PaidAt: inv.PaidAt, DeclaredPaidAt: inv.DeclaredPaidAt,
			TreasuryAt: inv.TreasuryAt,
		})
	}

	payments, _, err := tx.Payments(ctx, PaymentQuery{BillerID: a.BillerID, PayerID: payer.ID,
		Limit: MyDataMaxPayments + 1, CountUpTo: 1})
	if err != nil {
		return domain.WrapInternal(err)
	}
	payments = bound(d, payments, MyDataMaxPayments, MyDataPayments)
	for _, pay := range payments {
		d.Payments = append(d.Payments, MyPayment{
			Reference: pay.Refdet, CreatedAt: pay.CreatedAt, FinishedAt: pay.FinishedAt,
			InvoiceNumbers: slices.Clone(pay.InvoiceNumbers), Total: pay.Total, State: pay.State,
			Method: pay.Method, Email: pay.Email, Test: pay.IsTest(),
		})
	}

	messages, _, err := tx.SearchMessages(ctx, MessageSearch{BillerID: a.BillerID, PayerID: payer.ID,
		Limit: MyDataMaxMessages + 1})
	if err != nil {
		return domain.WrapInternal(err)
	}
	messages = bound(d, messages, MyDataMaxMessages, MyDataMessages)
	for _, m := range messages {
		d.Messages = append(d.Messages, MyMessage{At: m.CreatedAt, Kind: m.Kind, FromEmail: m.FromEmail,
			Subject: m.Subject, Body: m.Body, State: m.State, HandledAt: m.HandledAt})
	}

	notices, err := tx.PayerNotices(ctx, payer.ID, MyDataMaxNotices+1)
	if err != nil {
		return domain.WrapInternal(err)
	}
	notices = bound(d, notices, MyDataMaxNotices, MyDataNotices)
	for _, n := range notices {
		d.SentNotices = append(d.SentNotices, MyNotice{At: n.SentAt, Kind: n.Kind, InvoiceNumber: n.InvoiceNumber})
	}
	return nil
}

// bound keeps the first n of list, and names the list in Truncated
// when there were more.
func bound[T any](d *MyData, list []T, n int, name string) []T {
	if len(list) > n {
		d.Truncated = append(d.Truncated, name)
		return list[:n]
	}
	return list
}
