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

// CertificateTitle is the demo biller's yearly certificate's title.
const CertificateTitle = "Attestation de paiement des frais de garde {année}"

// CertificateTotal is the total of the demo payer's certificate of last
// year: its three crèche invoices (the canteen's is not covered).
const CertificateTotal = "549.45"

// seedCertificates offers the yearly certificate for the crèche's
// invoices and gives the demo payer a past year (the calendar year before
// now's, in Paris) of payments: two crèche invoices paid online, one
// recorded by the service at the counter, and a canteen invoice the
// certificate does not cover (issue 15, item 5).
func seedCertificates(ctx context.Context, tx ports.Tx, b domain.Biller, payer domain.Payer, now time.Time) error {
	b.Certificate = domain.CertificateSettings{
		Offered: true, Title: CertificateTitle, ObjectContains: "Crèche",
		LegalText: "Attestation délivrée pour servir et valoir ce que de droit, notamment au titre du crédit d'impôt pour frais de garde des enfants de moins de six ans (article 200 quater B du code général des impôts).",
	}
	if err := tx.SaveBiller(ctx, b); err != nil {
		return err
	}
	year := domain.Today(now).Year - 1
	on := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 10, 30, 0, 0, domain.Paris) }
	type row struct {
		number, object, amount string
		paidAt                 time.Time
		online                 bool
	}
	rows := []row{
		{"040-000012", "Crèche municipale, janvier", "182.40", on(time.February, 5), true},
		{"030-000210", "Restauration scolaire, mars", "52.80", on(time.April, 2), true},
		{"040-000051", "Crèche municipale, avril", "176.25", on(time.May, 12), false},
		{"040-000093", "Crèche municipale, septembre", "190.80", on(time.October, 3), true},
	}
	for i, r := range rows {
		number := fmt.Sprintf("%d-%s", year, r.number)
		inv := domain.Invoice{
			ID:       uuid.NewSHA1(BillerID, []byte(number)),
			BillerID: b.ID, PayerID: payer.ID, Number: number, Object: r.object + " " + fmt.Sprint(year),
			IssueDate: domain.DateOf(r.paidAt, domain.Paris).AddDays(-20), DueDate: domain.DateOf(r.paidAt, domain.Paris).AddDays(10),
			Amount: decimal.RequireFromString(r.amount), State: domain.InvoiceUnpaid,
			CreatedAt: now, UpdatedAt: now,
		}
		if err := inv.Validate(); err != nil {
			return fmt.Errorf("demo invoice of last year %d: %w", i, err)
		}
		if err := tx.SaveInvoice(ctx, inv); err != nil { // before its payment, which names it
			return err
		}
		paymentID := uuid.Nil
		if r.online {
			pay := pastPayment(b, payer, inv, r.paidAt)
			if err := tx.SavePayment(ctx, pay); err != nil {
				return err
			}
			paymentID = pay.ID
		}
		if _, err := inv.Settle(paymentID, r.paidAt, now); err != nil {
			return err
		}
		if err := tx.SaveInvoice(ctx, inv); err != nil {
			return err
		}
	}
	return nil
}

// pastPayment is a confirmed card payment of inv made at at.
func pastPayment(b domain.Biller, payer domain.Payer, inv domain.Invoice, at time.Time) domain.Payment {
	id := uuid.NewSHA1(BillerID, []byte("payment "+inv.Number))
	refdet := fmt.Sprintf("DEMO%X", id[:8])
	return domain.Payment{
		ID: id, BillerID: b.ID, PayerID: payer.ID, AccountID: accountID, Refdet: refdet, Numcli: b.Numcli,
		Year: at.Year(), Total: inv.Amount, Email: payer.Email, Object: domain.PaymentObject(b, []string{inv.Number}),
		InvoiceIDs: []uuid.UUID{inv.ID}, InvoiceNumbers: []string{inv.Number},
		Saisie: domain.SaisieProduction, ReportedSaisie: domain.SaisieProduction, LockedUntil: at.Add(b.LockDuration),
		State: domain.PaymentPaid, OperationID: "DEMO-" + inv.Number, Authorization: "DEMO01",
		TransactionAt: at, Method: domain.MethodCard, Confirmed: true,
		CreatedAt: at.Add(-5 * time.Minute), UpdatedAt: at, FinishedAt: at,
	}
}
