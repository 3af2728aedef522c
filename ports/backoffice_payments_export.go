package ports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portail-factures/portail/domain"
)

// PaymentExportColumns are the columns of ExportPayments, in order. The
// file is meant for billing software and for spreadsheets alike:
//
//   - UTF-8 with a byte-order mark (without it, Excel reads UTF-8 as
//     Windows-1252 and spoils every accent);
//   - fields separated by semicolons, as French spreadsheets expect
//     (their decimal separator is the comma), lines ended by CRLF, fields
//     quoted only when needed (RFC 4180);
//   - one line per invoice of each attempt, so that software can settle
//     invoice by invoice; the attempt's columns repeat on each of its
//     lines;
//   - amounts in euros with a point and two decimals ("1234.50"), dates
//     ISO 8601 in Paris time with their offset
//     ("2026-03-15T14:05:00+01:00"), empty when unknown;
//   - a text field that a spreadsheet would take for a formula (starting
//     with =, +, -, @, tab or carriage return) is prefixed with an
//     apostrophe (OWASP, CSV injection).
//
// Columns: refdet (the PayFiP debt reference), operation (PayFiP's idOp),
// cree_le (when the attempt began), regle_le (when the DGFiP says the
// payer paid), etat (stable code: created, in_progress, paid, refused,
// abandoned, expired, failed, rejected), etat_libelle (in French),
// confirme (oui when the payment is known from the DGFiP itself or was
// confirmed, non otherwise), montant_paiement (the attempt's total),
// facture (invoice number), montant_facture, redevable_reference,
// redevable_nom, courriel (the address PayFiP sent its receipt to),
// moyen (carte bancaire, prélèvement), autorisation (numauto),
// code_dgfip (the gateway's last code), anomalie, paiement_id (the
// portal's id of the attempt), saisie (the PayFiP environment the attempt
// was created in: T test, X activation, W production; empty for attempts
// recorded before the portal kept it), saisie_retour (the one the DGFiP
// echoed with its result), test (oui for a test payment or an attempt of
// the test environment: never money, non otherwise).
var PaymentExportColumns = []string{
	"refdet", "operation", "cree_le", "regle_le", "etat", "etat_libelle", "confirme", "montant_paiement",
	"facture", "montant_facture", "redevable_reference", "redevable_nom", "courriel", "moyen",
	"autorisation", "code_dgfip", "anomalie", "paiement_id", "saisie", "saisie_retour", "test",
}

// exportBatch is how many rows an export reads at once.
const exportBatch = 500

// exportPages writes every row that fetch returns, page after page of
// exportBatch, through write, and flushes cw after each page so that a
// long export streams to the browser instead of growing in memory. It
// returns how many rows it wrote.
func exportPages[T any](cw *csv.Writer, fetch func(offset, limit int) ([]T, int, error), write func(T) error) (int, error) {
	count := 0
	for offset := 0; ; offset += exportBatch {
		list, total, err := fetch(offset, exportBatch)
		if err != nil {
			return count, domain.WrapInternal(err)
		}
		for _, row := range list {
			if err := write(row); err != nil {
				return count, err
			}
			count++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return count, err
		}
		if len(list) == 0 || offset+exportBatch >= total {
			return count, nil
		}
	}
}

// ExportPayments writes every attempt of the actor's biller matching q
// (all pages; q.Offset and q.Limit are ignored) to w as CSV, in the
// format PaymentExportColumns describes, newest first, and audits the
// export.
func (p BackOfficePayments) ExportPayments(ctx context.Context, a Actor, q PaymentQuery, w io.Writer) error {
	if err := a.canRead(a.BillerID); err != nil {
		return err
	}
	q.BillerID = a.BillerID
	cw, err := newExportCSV(w, PaymentExportColumns)
	if err != nil {
		return err
	}
	payers := payerCache{store: p.store, biller: a.BillerID}
	count, err := exportPages(cw, func(offset, limit int) ([]domain.Payment, int, error) {
		q.Offset, q.Limit = offset, limit
		return p.store.Payments(ctx, q)
	}, func(pay domain.Payment) error {
		return p.writePaymentLines(ctx, cw, pay, payers.get(ctx, pay.PayerID))
	})
	if err != nil {
		return err
	}
	return p.store.Atomic(ctx, func(tx Tx) error {
		return p.audit(ctx, tx, a, domain.AuditPaymentsExported, "", fmt.Sprintf("Export CSV de %d paiements.", count))
	})
}

// writePaymentLines writes one line per invoice of pay.
func (p *Portal) writePaymentLines(ctx context.Context, cw *csv.Writer, pay domain.Payment, payer domain.Payer) error {
	confirmed, test := "non", "non"
	if pay.Confirmed {
		confirmed = "oui"
	}
	if pay.IsTest() {
		test = "oui"
	}
	paidAt := ""
	if pay.State == domain.PaymentPaid || pay.State == domain.PaymentRejected {
		paidAt = isoParis(pay.TransactionAt)
	}
	for i, invID := range pay.InvoiceIDs {
		number, amount := "", ""
		if i < len(pay.InvoiceNumbers) {
			number = pay.InvoiceNumbers[i]
		}
		if inv, err := p.store.Invoice(ctx, invID); err == nil && inv.BillerID == pay.BillerID {
			number, amount = inv.Number, inv.Amount.StringFixed(2)
		} else if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return domain.WrapInternal(err)
		}
		rec := []string{
			pay.Refdet, pay.OperationID, isoParis(pay.CreatedAt), paidAt, string(pay.State), pay.State.Label(), confirmed,
			pay.Total.StringFixed(2), number, amount, payer.ExternalRef, payer.Name, pay.Email, pay.Method.Label(),
			pay.Authorization, pay.LastCode, pay.Anomaly, pay.ID.String(),
			string(pay.Saisie), string(pay.ReportedSaisie), test,
		}
		for j := range rec {
			rec[j] = defuseFormula(rec[j])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// isoParis writes an instant in ISO 8601, Paris time, or "" when zero.
func isoParis(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.Paris).Format(time.RFC3339)
}

// defuseFormula keeps a spreadsheet from running a field as a formula:
// a field starting with =, +, -, @, tab or carriage return gets an
// apostrophe in front (OWASP's advice on CSV injection). The portal's
// own amounts and dates never start with one of them.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// newExportCSV starts a back-office CSV export on w: a UTF-8 byte order
// mark and semicolons, so that a spreadsheet set up in French opens it
// with its accents and its columns, CRLF line ends, and the header line.
func newExportCSV(w io.Writer, columns []string) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(columns); err != nil {
		return nil, err
	}
	return cw, nil
}
