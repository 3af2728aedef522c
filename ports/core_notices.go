package ports

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// The mails of the notices and reminders (issue 15, items 1 and 2), one
// template pair each in ports/mail.
const (
	mailNewInvoices = "new_invoices"
	mailReminder    = "reminder"
)

var noticeMails = []string{mailNewInvoices, mailReminder}

// PathInvoices is « Mes factures », the page a notice or reminder links
// to.
const PathInvoices = "/factures"

// noticeMail is the mail of kind to account a listing invoices, with its
// one-click unsubscribe link (core_unsubscribe.go) in the body and in
// Mail.Unsubscribe, which the SMTP adapter announces in the
// List-Unsubscribe headers (RFC 8058).
func (p *Portal) noticeMail(ctx context.Context, b domain.Biller, a domain.Account, kind domain.NoticeKind, invoices []domain.Invoice) (Mail, error) {
	name := mailReminder
	if kind == domain.NoticeNewInvoice {
		name = mailNewInvoices
	}
	stop, err := p.unsubscribeLink(ctx, b, a, kind)
	if err != nil {
		return Mail{}, err
	}
	m, err := p.mails.render(name, a.Email, b.Email, mailData{
		Biller: b, Email: a.Email, Invoices: invoices, Kind: kind,
		Link: p.SiteURL(b) + PathInvoices, Unsubscribe: stop,
	})
	m.Unsubscribe = stop
	return m, err
}

// walkNotices runs a notice job's walk: next reads the batch after the
// last key, send mails it in its own transaction and says how many
// invoices it mailed about, advance moves the key past the batch's last
// invoice. It logs what (with attrs) in progress every remindLogEvery
// invoices read and once done, and returns how many were mailed about.
func (p *Portal) walkNotices(ctx context.Context, what string, attrs []any, limit int,
	next func() ([]domain.Invoice, error), send func([]domain.Invoice) (int, error), advance func(last domain.Invoice)) (int, error) {
	read, sent := 0, 0
	for {
		batch, err := next()
		if err != nil {
			return sent, domain.WrapInternal(err)
		}
		if len(batch) == 0 {
			break
		}
		n, err := send(batch)
		sent += n
		if err != nil {
			return sent, err
		}
		before := read / remindLogEvery
		read += len(batch)
		if read/remindLogEvery > before {
			p.log.InfoContext(ctx, what+" in progress", append(attrs, "read", read, "sent", sent)...)
		}
		if len(batch) < limit {
			break
		}
		advance(batch[len(batch)-1])
	}
	if read > 0 {
		p.log.InfoContext(ctx, what+" done", append(attrs, "read", read, "sent", sent)...)
	}
	return sent, nil
}

// mailNoticeBatch mails one batch of a notice job in one transaction of
// four statements, whatever the batch's size: the invoices are locked
// (InvoicesForUpdate) and those keep accepts (checked again, since the
// batch was read) are grouped by payer; the payers' accounts are read at
// once (AccountsByPayers); the invoices each account takes are recorded
// once for kind at once (RecordNotices: an invoice another instance
// recorded meanwhile is left out); and one mail per payer lists those
// recorded, all queued at once (EnqueueMails) in the same transaction, so
// that a record never commits without its mail. A payer with no account
// gets nothing. It returns how many invoices were mailed about.
func (p *Portal) mailNoticeBatch(ctx context.Context, b domain.Biller, kind domain.NoticeKind, batch []domain.Invoice, now time.Time,
	keep func(domain.Invoice) bool, takes func(domain.Account, domain.Invoice) bool) (int, error) {
	ids := make([]uuid.UUID, len(batch))
	for i, inv := range batch {
		ids[i] = inv.ID
	}
	// The mails' unsubscribe key is read (or made) outside the
	// transaction: see unsubscribeKey.
	if _, err := p.unsubscribeKey(ctx); err != nil {
		return 0, err
	}
	sent := 0
	err := p.store.Atomic(ctx, func(tx Tx) error {
		sent = 0
		invs, err := tx.InvoicesForUpdate(ctx, ids)
		if err != nil {
			return domain.WrapInternal(err)
		}
		byPayer := map[uuid.UUID][]domain.Invoice{}
		var payers []uuid.UUID
		for _, inv := range invs {
			if !keep(inv) {
				continue
			}
			if _, seen := byPayer[inv.PayerID]; !seen {
				payers = append(payers, inv.PayerID)
			}
			byPayer[inv.PayerID] = append(byPayer[inv.PayerID], inv)
		}
		if len(payers) == 0 {
			return nil
		}
		accounts, err := tx.AccountsByPayers(ctx, payers)
		if err != nil {
			return domain.WrapInternal(err)
		}
		account := make(map[uuid.UUID]domain.Account, len(accounts))
		for _, a := range accounts {
			account[a.PayerID] = a
		}
		var taken []uuid.UUID
		for _, payer := range payers {
			a, ok := account[payer]
			if !ok {
				continue
			}
			for _, inv := range byPayer[payer] {
				if takes(a, inv) {
					taken = append(taken, inv.ID)
				}
			}
		}
		if len(taken) == 0 {
			return nil
		}
		recorded, err := tx.RecordNotices(ctx, b.ID, taken, kind, now)
		if err != nil {
			return domain.WrapInternal(err)
		}
		isRecorded := make(map[uuid.UUID]bool, len(recorded))
		for _, id := range recorded {
			isRecorded[id] = true
		}
		var mails []OutboxMail
		for _, payer := range payers {
			var listed []domain.Invoice
			for _, inv := range byPayer[payer] {
				if isRecorded[inv.ID] {
					listed = append(listed, inv)
				}
			}
			if len(listed) == 0 {
				continue
			}
			slices.SortFunc(listed, func(x, y domain.Invoice) int {
				return cmp.Or(x.DueDate.Compare(y.DueDate), strings.Compare(x.Number, y.Number))
			})
			m, err := p.noticeMail(ctx, b, account[payer], kind, listed)
			if err != nil {
				return err
			}
			om, err := p.outboxMail(m, now)
			if err != nil {
				return err
			}
			mails = append(mails, om)
			sent += len(listed)
		}
		return domain.WrapInternal(tx.EnqueueMails(ctx, mails))
	})
	return sent, err
}
