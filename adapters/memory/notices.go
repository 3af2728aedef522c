package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// notices is the "sent once" record of the notices and reminders: one row
// per invoice and kind (ports.NoticeStore).
type notices struct {
	rows     table[noticeKey, noticeRow]
	byBiller map[uuid.UUID]set[noticeKey]
}

type noticeKey struct {
	invoice uuid.UUID
	kind    domain.NoticeKind
}

type noticeRow struct {
	biller uuid.UUID
	key    noticeKey
	at     time.Time
}

func (n *notices) init() {
	n.byBiller = make(map[uuid.UUID]set[noticeKey])
	n.rows = newTable[noticeKey](
		func(r noticeRow) { addTo(n.byBiller, r.biller, r.key) },
		func(r noticeRow) { removeFrom(n.byBiller, r.biller, r.key) })
}

// RecordNotice records the invoice's notice of kind once.
func (t *tx) RecordNotice(ctx context.Context, billerID, invoiceID uuid.UUID, kind domain.NoticeKind, at time.Time) (recorded bool, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return false, err
	}
	defer done(&err)
	k := noticeKey{invoiceID, kind}
	if _, ok := t.t.notices.rows.rows[k]; ok {
		return false, nil
	}
	t.journal(t.t.notices.rows.put(k, noticeRow{biller: billerID, key: k, at: at}))
	return true, nil
}

// RecordNotices records the invoices' notices of kind once each, and
// returns the ids recorded now.
func (t *tx) RecordNotices(ctx context.Context, billerID uuid.UUID, invoiceIDs []uuid.UUID, kind domain.NoticeKind, at time.Time) (_ []uuid.UUID, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return nil, err
	}
	defer done(&err)
	var out []uuid.UUID
	for _, id := range invoiceIDs {
		recorded, err := t.RecordNotice(ctx, billerID, id, kind, at)
		if err != nil {
			return nil, err
		}
		if recorded {
			out = append(out, id)
		}
	}
	return out, nil
}

// InvoicesToRemind returns one batch of the biller's unpaid invoices due
// in the query's window with no notice of its kind, after its key.
func (t *tx) InvoicesToRemind(_ context.Context, q ports.RemindQuery) ([]domain.Invoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []domain.Invoice
	for id := range t.t.unpaidByBiller[q.BillerID] {
		inv := t.t.invoices.rows[id]
		if inv.DueDate.Before(q.From) || q.To.Before(inv.DueDate) {
			continue
		}
		if q.AfterNumber != "" && cmp.Or(inv.DueDate.Compare(q.AfterDue), cmp.Compare(inv.Number, q.AfterNumber)) <= 0 {
			continue
		}
		if _, sent := t.t.notices.rows.rows[noticeKey{id, q.Kind}]; sent {
			continue
		}
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b domain.Invoice) int {
		return cmp.Or(a.DueDate.Compare(b.DueDate), cmp.Compare(a.Number, b.Number))
	})
	return page(out, 0, q.Limit), nil
}

// CountNotices counts the biller's notices of each kind since since.
func (t *tx) CountNotices(_ context.Context, billerID uuid.UUID, since time.Time) (map[domain.NoticeKind]int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := make(map[domain.NoticeKind]int)
	for k := range t.t.notices.byBiller[billerID] {
		if r := t.t.notices.rows.rows[k]; !r.at.Before(since) {
			out[k.kind]++
		}
	}
	return out, nil
}

// PayerNotices returns the payer's recorded notices, newest first.
func (t *tx) PayerNotices(_ context.Context, payerID uuid.UUID, limit int) ([]ports.SentNotice, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []ports.SentNotice
	for id := range t.t.invoicesByPayer[payerID] {
		inv := t.t.invoices.rows[id]
		for _, kind := range domain.NoticeKinds {
			if r, ok := t.t.notices.rows.rows[noticeKey{id, kind}]; ok {
				out = append(out, ports.SentNotice{InvoiceID: id, InvoiceNumber: inv.Number, Kind: kind, SentAt: r.at})
			}
		}
	}
	slices.SortFunc(out, func(a, b ports.SentNotice) int {
		return cmp.Or(b.SentAt.Compare(a.SentAt), cmp.Compare(a.InvoiceNumber, b.InvoiceNumber), cmp.Compare(a.Kind, b.Kind))
	})
	return page(out, 0, limit), nil
}

// InvoicesToAnnounce returns one batch of the biller's unpaid invoices
// that arrived since the query's Since with no new-invoice notice and an
// account that may take one, after its key.
func (t *tx) InvoicesToAnnounce(_ context.Context, q ports.AnnounceQuery) ([]domain.Invoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []domain.Invoice
	for id := range t.t.unpaidByBiller[q.BillerID] {
		inv := t.t.invoices.rows[id]
		if inv.CreatedAt.Before(q.Since) {
			continue
		}
		if q.AfterID != uuid.Nil && cmp.Or(inv.CreatedAt.Compare(q.AfterCreated), compareIDs(inv.PayerID, q.AfterPayer), compareIDs(inv.ID, q.AfterID)) <= 0 {
			continue
		}
		if _, sent := t.t.notices.rows.rows[noticeKey{id, domain.NoticeNewInvoice}]; sent {
			continue
		}
		accountID, ok := t.t.accountByPayer[inv.PayerID]
		if !ok {
			continue
		}
		if a := t.t.accounts.rows[accountID]; a.State != domain.AccountActive || a.NoticesOff || a.ActivatedAt.After(inv.CreatedAt) {
			continue
		}
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b domain.Invoice) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.PayerID, b.PayerID), compareIDs(a.ID, b.ID))
	})
	return page(out, 0, q.Limit), nil
}
