package demo

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// DueSoonNumber is the demo payer's invoice due in three days: with the
// demo biller's reminders on (5 days before), the reminders job, which
// runs at start, mails its reminder at once (/_dev/mail).
const DueSoonNumber = "2026-050-000131"

// seedReminders turns the demo biller's reminders on (5 days before the
// due date, and once 7 days after it) and gives the demo payer an invoice
// due in three days (issue 15).
func seedReminders(ctx context.Context, tx ports.Tx, b domain.Biller, payer domain.Payer, now time.Time) error {
	b.Reminders = domain.Reminders{Enabled: true, DaysBefore: domain.DefaultReminderDaysBefore,
		AfterEnabled: true, DaysAfter: domain.DefaultReminderDaysAfter}
	if err := tx.SaveBiller(ctx, b); err != nil {
		return err
	}
	today := domain.Today(now)
	inv := domain.Invoice{
		ID:       uuid.NewSHA1(BillerID, []byte(DueSoonNumber)),
		BillerID: b.ID, PayerID: payer.ID, Number: DueSoonNumber, Object: "Centre de loisirs, vacances d'automne",
		IssueDate: today.AddDays(-27), DueDate: today.AddDays(3),
		Amount: decimal.RequireFromString("84.00"), State: domain.InvoiceUnpaid,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := inv.Validate(); err != nil {
		return err
	}
	return tx.SaveInvoice(ctx, inv)
}
