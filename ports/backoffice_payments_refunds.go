package ports

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// A payment received twice: when a confirmed "paid" reaches an invoice
// already paid, the domain returns a refund of that payment's share
// (domain.SettleInvoices). recordRefunds (core_settle.go) saves it in the transaction that
// applies the report, with a step in the payment's timeline, an audit
// line and a mail to the billing service; the back office lists them
// (« À rembourser ») until a staff member records the refund.

// RefundRow is one line of the back office's list of double payments.
type RefundRow struct {
	Refund domain.Refund
	// Payer is the refund's payer; zero when it cannot be read.
	Payer domain.Payer
}

// RefundList is one page of a biller's double payments.
type RefundList struct {
	Rows  []RefundRow
	Total int // refunds matching the query, up to BackOfficeCountLimit
	// AtLeast is set when Total is the bound: there may be more.
	AtLeast bool
	Paging
}

// Refunds lists the actor's biller's double payments matching q (to
// refund, refunded, or all), newest first, one page (q.Offset, q.Limit).
func (p BackOfficePayments) Refunds(ctx context.Context, a Actor, q RefundQuery) (RefundList, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return RefundList{}, err
	}
	if q.State != "" && !q.State.Valid() {
		return RefundList{}, domain.FieldError("etat", "État de remboursement inconnu.")
	}
	q.BillerID = a.BillerID
	q.Offset, q.Limit = boundPage(q.Offset, q.Limit)
	q.CountUpTo = BackOfficeCountLimit
	list, total, err := p.store.Refunds(ctx, q)
	if err != nil {
		return RefundList{}, domain.WrapInternal(err)
	}
	payers := payerCache{store: p.store, biller: a.BillerID}
	out := RefundList{Total: total, AtLeast: total >= BackOfficeCountLimit, Paging: pagingOf(total, q.Offset, q.Limit)}
	for _, r := range list {
		out.Rows = append(out.Rows, RefundRow{Refund: r, Payer: payers.get(ctx, r.PayerID)})
	}
	return out, nil
}

// MarkRefunded records that the billing service refunded a double
// payment: when, and by whom (the staff member's name). Marking it twice
// is a Conflict that says who did it first.
func (p BackOfficePayments) MarkRefunded(ctx context.Context, a Actor, id uuid.UUID) (domain.Refund, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return domain.Refund{}, err
	}
	var r domain.Refund
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		if r, err = tx.RefundForUpdate(ctx, id); err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		if err := a.canWrite(r.BillerID); err != nil {
			return err
		}
		by := a.Label
		if a.Kind == domain.ActorStaff {
			if st, err := tx.Staff(ctx, a.ID); err == nil && st.BillerID == a.BillerID && strings.TrimSpace(st.Name) != "" {
				by = st.Name
			}
		}
		if err := r.MarkRefunded(by, p.clock.Now()); err != nil {
			return err
		}
		if err := mapSave(tx.SaveRefund(ctx, r)); err != nil {
			return err
		}
		detail := fmt.Sprintf("Double paiement de la facture %s remboursé au redevable : %s (paiement %s), par %s.",
			r.InvoiceNumber, domain.FormatEuros(r.Amount), r.Refdet, by)
		if pay, err := tx.PaymentForUpdate(ctx, r.PaymentID); err == nil {
			if err := p.paymentEvent(ctx, tx, pay, "", detail); err != nil {
				return err
			}
		} else if domain.ErrorCode(err) != domain.NotFound {
			return domain.WrapInternal(err)
		}
		return p.audit(ctx, tx, a, domain.AuditRefundDone, r.InvoiceNumber, detail)
	})
	if err != nil {
		return domain.Refund{}, err
	}
	return r, nil
}

// RefundExportColumns are the columns of ExportRefunds, in order, in the
// format of PaymentExportColumns (UTF-8 with a byte-order mark,
// semicolons, CRLF, amounts with a point, ISO 8601 dates in Paris time).
//
// Columns: facture (invoice number), montant_a_rembourser,
// redevable_reference, redevable_nom, refdet (the extra payment's PayFiP
// reference), operation (its idOp), autorisation (its numauto), paye_le
// (when the DGFiP says it was paid), paiement_id (the portal's id of the
// extra payment), premier_reglement (how the invoice was paid first, in
// French), premier_refdet (the first attempt's refdet; empty when paid
// outside the portal), premier_regle_le, detecte_le (when the portal met
// the double payment), etat (pending, refunded or cancelled),
// etat_libelle, rembourse_le, rembourse_par, annule_le and annulation
// (when and why it is no longer owed).
var RefundExportColumns = []string{
	"facture", "montant_a_rembourser", "redevable_reference", "redevable_nom", "refdet", "operation", "autorisation",
	"paye_le", "paiement_id", "premier_reglement", "premier_refdet", "premier_regle_le", "detecte_le",
	"etat", "etat_libelle", "rembourse_le", "rembourse_par", "annule_le", "annulation",
}

// ExportRefunds writes every double payment of the actor's biller
// matching q (all pages) to w as CSV, newest first, and audits the export.
func (p BackOfficePayments) ExportRefunds(ctx context.Context, a Actor, q RefundQuery, w io.Writer) error {
	if err := a.canRead(a.BillerID); err != nil {
		return err
	}
	if q.State != "" && !q.State.Valid() {
		return domain.FieldError("etat", "État de remboursement inconnu.")
	}
	q.BillerID, q.CountUpTo = a.BillerID, 0
	cw, err := newExportCSV(w, RefundExportColumns)
	if err != nil {
		return err
	}
	payers := payerCache{store: p.store, biller: a.BillerID}
	count, err := exportPages(cw, func(offset, limit int) ([]domain.Refund, int, error) {
		q.Offset, q.Limit = offset, limit
		return p.store.Refunds(ctx, q)
	}, func(r domain.Refund) error {
		payer := payers.get(ctx, r.PayerID)
		earlier := "portail"
		if !r.EarlierOnline() {
			earlier = "hors portail"
		}
		rec := []string{
			r.InvoiceNumber, r.Amount.StringFixed(2), payer.ExternalRef, payer.Name, r.Refdet, r.OperationID, r.Authorization,
			isoParis(r.TransactionAt), r.PaymentID.String(), earlier, r.EarlierRefdet, isoParis(r.EarlierPaidAt),
			isoParis(r.CreatedAt), string(r.State()), r.State().Label(), isoParis(r.RefundedAt), r.RefundedBy,
			isoParis(r.CancelledAt), r.CancelReason,
		}
		for j := range rec {
			rec[j] = defuseFormula(rec[j])
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	return p.store.Atomic(ctx, func(tx Tx) error {
		return p.audit(ctx, tx, a, domain.AuditRefundsExported, "", fmt.Sprintf("Export CSV de %d doubles paiements.", count))
	})
}
