package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// BoardPayers is how many households seedBoard adds for the dashboard's
// charts.
const BoardPayers = 24

// SeedHistory adds to the demo biller Seed wrote two years of history for
// the back office dashboard's charts (issue 16, part 5): BoardPayers households arriving one a month (DEMO-1001…), two
// in three activating their account three weeks later, and each month of
// the last 25 a few invoices paid online, at the counter and, every other
// month, on a confirmed declaration; two households without an account
// are late on an invoice. Every invoice it adds is paid or, for those two,
// past due without an email to remind: it adds no mail to the demo's.
// Kept apart from Seed so that the tests built on the manual's demo keep
// its few records; `portal serve` in demo mode and `portal demo-seed` add
// it. It does nothing when the history is there already.
func SeedHistory(ctx context.Context, store ports.Store, hasher ports.PasswordHasher, now time.Time) error {
	if _, err := store.PayerByRef(ctx, BillerID, fmt.Sprintf("DEMO-%04d", 1001)); err == nil {
		return nil
	} else if domain.ErrorCode(err) != domain.NotFound {
		return err
	}
	b, err := store.Biller(ctx, BillerID)
	if err != nil {
		return err
	}
	hash, err := hasher.Hash(Password)
	if err != nil {
		return err
	}
	return store.Atomic(ctx, func(tx ports.Tx) error { return seedHistory(ctx, tx, b, hash, now) })
}

func seedHistory(ctx context.Context, tx ports.Tx, b domain.Biller, hash string, now time.Time) error {
	this := domain.MonthOf(now)
	var payers []domain.Payer
	var accounts []domain.Account
	for i := range BoardPayers {
		arrived := this.AddMonths(i - BoardPayers).AddDays(2).Time(domain.Paris).Add(9 * time.Hour)
		ref := fmt.Sprintf("DEMO-%04d", 1001+i)
		p := domain.Payer{ID: uuid.NewSHA1(BillerID, []byte(ref)), BillerID: b.ID, ExternalRef: ref,
			Name: boardNames[i%len(boardNames)], CreatedAt: arrived, UpdatedAt: arrived}
		if i%3 != 0 {
			p.Email = fmt.Sprintf("foyer%d@demo.fr", 1001+i)
		}
		if err := tx.SavePayer(ctx, p); err != nil {
			return err
		}
		payers = append(payers, p)
		if p.Email == "" {
			continue
		}
		a := domain.NewAccount(uuid.NewSHA1(BillerID, []byte("account "+ref)), p, arrived)
		activated := arrived.Add(21 * 24 * time.Hour)
		if activated.After(now) {
			activated = now
		}
		a.SetPassword(hash, activated)
		if err := tx.SaveAccount(ctx, a); err != nil {
			return err
		}
		accounts = append(accounts, a)
	}
	for back := 24; back >= 0; back-- {
		month := this.AddMonths(-back)
		// The payers who had arrived by then, the newest first.
		arrived := BoardPayers - back
		if arrived < 1 {
			arrived = 1
		}
		at := month.AddDays(4).Time(domain.Paris).Add(10 * time.Hour)
		if at.After(now) {
			at = now.Add(-time.Minute)
		}
		for k, ch := range []domain.PaymentChannel{domain.ChannelOnline, domain.ChannelOnline, domain.ChannelCounter, domain.ChannelDeclared} {
			if ch == domain.ChannelDeclared && back%2 == 1 {
				continue
			}
			p := payers[((arrived-1-k)%arrived+arrived)%arrived]
			if ch == domain.ChannelOnline && p.Email == "" {
				p = payers[1]
			}
			amount := decimal.NewFromInt(int64(35 + (back*37+k*53)%140)).Add(decimal.New(int64((back*13+k*7)%100), -2))
			if err := seedBoardInvoice(ctx, tx, b, p, accounts, ch, month, k, amount, at.Add(time.Duration(k)*time.Hour), now); err != nil {
				return err
			}
		}
	}
	// Two late invoices of households without an account.
	today := domain.Today(now)
	for i, late := range []int{12, 25} {
		p := payers[3*(i+1)]
		number := fmt.Sprintf("%d-070-%06d", today.Year, 900+i)
		inv := domain.Invoice{ID: uuid.NewSHA1(BillerID, []byte(number)), BillerID: b.ID, PayerID: p.ID, Number: number,
			Object: "Location de salle", IssueDate: today.AddDays(-late - 30), DueDate: today.AddDays(-late),
			Amount: decimal.New(int64(8500+i*4250), -2), State: domain.InvoiceUnpaid, CreatedAt: now, UpdatedAt: now}
		if err := tx.SaveInvoice(ctx, inv); err != nil {
			return err
		}
	}
	return nil
}

// seedBoardInvoice saves one invoice of p paid at at through ch.
func seedBoardInvoice(ctx context.Context, tx ports.Tx, b domain.Biller, p domain.Payer, accounts []domain.Account,
	ch domain.PaymentChannel, month domain.Date, k int, amount decimal.Decimal, at, now time.Time) error {
	number := fmt.Sprintf("%d-080-%02d%04d", month.Year, month.Month, k)
	inv := domain.Invoice{ID: uuid.NewSHA1(BillerID, []byte(number)), BillerID: b.ID, PayerID: p.ID, Number: number,
		Object: "Eau et assainissement", IssueDate: domain.DateOf(at, domain.Paris).AddDays(-20),
		DueDate: domain.DateOf(at, domain.Paris).AddDays(10), Amount: amount, State: domain.InvoiceUnpaid,
		CreatedAt: at, UpdatedAt: at}
	if err := tx.SaveInvoice(ctx, inv); err != nil { // before its payment, which names it
		return err
	}
	paymentID := uuid.Nil
	switch ch {
	case domain.ChannelOnline:
		pay := pastPayment(b, p, inv, at)
		for _, a := range accounts {
			if a.PayerID == p.ID {
				pay.AccountID = a.ID
			}
		}
		if err := tx.SavePayment(ctx, pay); err != nil {
			return err
		}
		paymentID = pay.ID
	case domain.ChannelDeclared:
		if err := inv.DeclarePaid(at); err != nil {
			return err
		}
		if err := inv.ConfirmDeclared(now); err != nil {
			return err
		}
		return tx.SaveInvoice(ctx, inv)
	}
	if _, err := inv.Settle(paymentID, at, now); err != nil {
		return err
	}
	return tx.SaveInvoice(ctx, inv)
}

var boardNames = []string{"Lucie Garnier", "Hugo Lefèvre", "Inès Moreau", "Nathan Roux", "Chloé Fournier", "Louis Girard",
	"Emma Bonnet", "Jules Dupont", "Léa Lambert", "Arthur Fontaine", "Manon Rousseau", "Gabriel Vincent"}
