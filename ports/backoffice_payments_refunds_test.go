package ports_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The four ways one invoice gets paid twice. Each ends with the invoice
// paid once, a refund recorded with both references, the billing
// service mailed, and the payer's invoice page saying the second payment
// will be refunded.

// endUnpaid lets attempt op end without a result: past the biller's lock
// duration, the reconciler closes it and its invoices are free again.
func (e *env) endUnpaid(t *testing.T, op string) {
	t.Helper()
	e.advance(3 * time.Hour)
	_, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	pay, err := e.store.PaymentByOperation(e.ctx, op)
	require.NoError(t, err)
	require.False(t, pay.Live(), "the attempt %s ended", op)
	for _, id := range pay.InvoiceIDs {
		require.False(t, e.invoice(t, id).Locked(e.clock.Now()), "its invoices are free")
	}
}

// paid makes the DGFiP answer "paid" for op, at the current time, and
// lets the notification of op arrive.
func (e *env) paid(t *testing.T, op string) domain.Payment {
	t.Helper()
	r := e.gateway.SetOutcome(op, domain.OutcomePaid)
	r.TransactionAt = e.clock.Now().Add(-time.Minute)
	r.Authorization = "AUT-" + op
	e.gateway.SetReport(op, r)
	pay, err := e.portal.Jobs().HandleNotification(e.ctx, notify(op))
	require.NoError(t, err)
	require.Equal(t, domain.PaymentPaid, pay.State)
	return pay
}

// onlyRefund returns the biller's one refund, checked against the extra
// payment and the invoice.
func (e *env) onlyRefund(t *testing.T, extra domain.Payment, inv domain.Invoice) domain.Refund {
	t.Helper()
	list, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.manager(), ports.RefundQuery{State: domain.RefundPending})
	require.NoError(t, err)
	require.Equal(t, 1, list.Total, "one double payment to refund")
	require.Len(t, list.Rows, 1)
	r := list.Rows[0].Refund
	assert.Equal(t, e.house.Payer.ID, list.Rows[0].Payer.ID)
	assert.Equal(t, inv.ID, r.InvoiceID)
	assert.Equal(t, inv.Number, r.InvoiceNumber)
	assert.Equal(t, extra.ID, r.PaymentID)
	assert.Equal(t, extra.Refdet, r.Refdet)
	assert.Equal(t, extra.OperationID, r.OperationID)
	assert.Equal(t, "AUT-"+extra.OperationID, r.Authorization)
	assert.True(t, extra.TransactionAt.Equal(r.TransactionAt))
	assert.Equal(t, domain.RefundPending, r.State())
	return r
}

// checkPaidOnce checks the invoice is paid once, by settledBy (uuid.Nil:
// outside the portal).
func (e *env) checkPaidOnce(t *testing.T, id, settledBy uuid.UUID) domain.Invoice {
	t.Helper()
	inv := e.invoice(t, id)
	assert.Equal(t, domain.InvoicePaid, inv.State)
	assert.Equal(t, settledBy, inv.PaymentID, "the first settlement stays")
	assert.Equal(t, uuid.Nil, inv.LockedBy)
	return inv
}

// checkBillerMailed checks the billing service got the mail about r,
// naming the payer, the invoice, the amount and both references.
func (e *env) checkBillerMailed(t *testing.T, r domain.Refund, earlierRef string) {
	t.Helper()
	mails := e.mails.To(e.house.Biller.Email)
	require.Len(t, mails, 1, "the billing service is mailed once")
	m := mails[0]
	assert.Contains(t, m.Subject, "Double paiement à rembourser")
	assert.Contains(t, m.Subject, r.InvoiceNumber)
	for _, want := range []string{
		e.house.Payer.Name, e.house.Payer.ExternalRef, r.InvoiceNumber, domain.FormatEuros(r.Amount),
		r.Refdet, r.OperationID, r.Authorization, earlierRef,
		"https://factures.testville.fr/gestion/remboursements",
	} {
		assert.Contains(t, m.Text, want)
		assert.Contains(t, m.HTML, want)
	}
}

// checkCitizenSees checks the payer's invoice page lists the refund.
func (e *env) checkCitizenSees(t *testing.T, r domain.Refund) {
	t.Helper()
	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, r.InvoiceID)
	require.NoError(t, err)
	require.Len(t, d.Refunds, 1)
	assert.Equal(t, r.ID, d.Refunds[0].ID)
	assert.True(t, r.Amount.Equal(d.Refunds[0].Amount))
}

func TestLateNotificationAfterASecondAttemptPaidIsToRefund(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(1)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.endUnpaid(t, "op-1")
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	second := e.paid(t, "op-2")
	e.advance(time.Hour)

	late := e.paid(t, "op-1") // the first attempt was paid after all
	inv := e.checkPaidOnce(t, ids[0], second.ID)
	r := e.onlyRefund(t, late, inv)
	assert.True(t, inv.Amount.Equal(r.Amount))
	assert.Equal(t, second.ID, r.EarlierPaymentID)
	assert.Equal(t, second.Refdet, r.EarlierRefdet)
	assert.True(t, second.TransactionAt.Equal(r.EarlierPaidAt))
	e.checkBillerMailed(t, r, second.Refdet)
	e.checkCitizenSees(t, r)
	assert.Contains(t, late.Anomaly, "à rembourser")
	assert.Contains(t, details(e.timeline(t, late.ID))[len(e.timeline(t, late.ID))-1], "Double paiement")

	// The same notification again records nothing more.
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
	require.NoError(t, err)
	list, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.manager(), ports.RefundQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, list.Total)
	assert.Len(t, e.mails.To(e.house.Biller.Email), 1)
}

func TestPaidAtTheCounterThenOnlineIsToRefund(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(1)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	counter := e.clock.Now()
	_, changed, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, e.manager(), e.house.Invoices[0].Number,
		ports.InvoiceStatusChange{Status: domain.InvoicePaid, PaidAt: counter})
	require.NoError(t, err)
	require.True(t, changed)
	e.advance(5 * time.Minute)

	online := e.paid(t, "op-1")
	inv := e.checkPaidOnce(t, ids[0], uuid.Nil)
	assert.True(t, counter.Equal(inv.PaidAt))
	r := e.onlyRefund(t, online, inv)
	assert.False(t, r.EarlierOnline())
	assert.True(t, counter.Equal(r.EarlierPaidAt))
	e.checkBillerMailed(t, r, "hors du portail")
	e.checkCitizenSees(t, r)
}

func TestDeclaredPaymentConfirmedThenOnlineIsToRefund(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(1)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.endUnpaid(t, "op-1")
	require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, ids[0]))
	declared := e.clock.Now()
	e.advance(time.Hour)
	require.NoError(t, e.portal.BackOfficePayments().ConfirmDeclared(e.ctx, e.manager(), ids[0]))

	online := e.paid(t, "op-1")
	inv := e.checkPaidOnce(t, ids[0], uuid.Nil)
	r := e.onlyRefund(t, online, inv)
	assert.False(t, r.EarlierOnline())
	assert.True(t, declared.Equal(r.EarlierPaidAt), "paid first on the day of the declaration")
	e.checkBillerMailed(t, r, "hors du portail")
	e.checkCitizenSees(t, r)
}

func TestTwoAttemptsBothPaidRefundOnlyTheInvoicePaidTwice(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(2)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids[:1])
	require.NoError(t, err)
	e.endUnpaid(t, "op-1")
	both, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	first := e.paid(t, "op-1")
	assert.Equal(t, first.ID, e.invoice(t, ids[0]).PaymentID, "the first attempt settles the invoice")

	// The reconciler finds the second attempt paid too.
	r := e.gateway.SetOutcome("op-2", domain.OutcomePaid)
	r.TransactionAt, r.Authorization = e.clock.Now(), "AUT-op-2"
	e.gateway.SetReport("op-2", r)
	e.advance(time.Minute)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	second, err := e.store.Payment(e.ctx, both.ID)
	require.NoError(t, err)
	require.Equal(t, domain.PaymentPaid, second.State)

	inv := e.checkPaidOnce(t, ids[0], first.ID)
	e.checkPaidOnce(t, ids[1], second.ID)
	ref := e.onlyRefund(t, second, inv)
	assert.True(t, inv.Amount.Equal(ref.Amount), "only the share of the invoice paid twice, not the %s paid", domain.FormatEuros(second.Total))
	assert.True(t, ref.Amount.LessThan(second.Total))
	assert.Equal(t, first.Refdet, ref.EarlierRefdet)
	e.checkBillerMailed(t, ref, first.Refdet)
	e.checkCitizenSees(t, ref)
	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, ids[1])
	require.NoError(t, err)
	assert.Empty(t, d.Refunds, "the other invoice was paid once")
}

// doublePaid pays the first invoice twice and returns the refund.
func doublePaid(t *testing.T, e *env) domain.Refund {
	t.Helper()
	ids := e.invoiceIDs(1)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	_, _, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, e.manager(), e.house.Invoices[0].Number, ports.InvoiceStatusChange{Status: domain.InvoicePaid})
	require.NoError(t, err)
	online := e.paid(t, "op-1")
	return e.onlyRefund(t, online, e.invoice(t, ids[0]))
}

func TestMarkRefunded(t *testing.T) {
	e := newEnv(t)
	r := doublePaid(t, e)
	st, err := domain.NewStaff(uuid.New(), e.biller(), "agnes@testville.fr", "Agnès Martin", domain.RoleManager, e.clock.Now())
	require.NoError(t, err)
	require.NoError(t, e.store.SaveStaff(e.ctx, st))
	agnes := ports.Actor{Kind: domain.ActorStaff, BillerID: e.biller(), ID: st.ID, Label: st.Email, Role: st.Role}

	_, err = e.portal.BackOfficePayments().MarkRefunded(e.ctx, e.reader(), r.ID)
	assert.ErrorIs(t, err, ports.ErrReadOnly, "the role « lecture » cannot mark")
	_, err = e.portal.BackOfficePayments().MarkRefunded(e.ctx, e.otherBiller(t), r.ID)
	assert.ErrorIs(t, err, domain.ErrNotFound, "another biller's refund does not exist for them")
	_, err = e.portal.BackOfficePayments().Refunds(e.ctx, ports.Actor{Kind: domain.ActorCitizen, BillerID: e.biller()}, ports.RefundQuery{})
	assert.ErrorIs(t, err, domain.ErrNotFound)

	board, err := e.portal.BackOffice().StaffBoard(e.ctx, e.manager())
	require.NoError(t, err)
	assert.Equal(t, 1, board.Refunds, "the dashboard counts the refunds to do")

	e.advance(48 * time.Hour)
	done, err := e.portal.BackOfficePayments().MarkRefunded(e.ctx, agnes, r.ID)
	require.NoError(t, err)
	assert.True(t, e.clock.Now().Equal(done.RefundedAt))
	assert.Equal(t, "Agnès Martin", done.RefundedBy)
	audits := e.audits(t, domain.AuditRefundDone)
	require.Len(t, audits, 1)
	assert.Equal(t, "Double paiement remboursé", audits[0].Action.Label())
	assert.Equal(t, r.InvoiceNumber, audits[0].Target)
	assert.Contains(t, audits[0].Detail, "Agnès Martin")
	assert.Equal(t, st.ID, audits[0].ActorID)

	_, err = e.portal.BackOfficePayments().MarkRefunded(e.ctx, e.manager(), r.ID)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "déjà été marqué comme remboursé")
	assert.Len(t, e.audits(t, domain.AuditRefundDone), 1)

	board, err = e.portal.BackOffice().StaffBoard(e.ctx, e.manager())
	require.NoError(t, err)
	assert.Zero(t, board.Refunds)
	todo, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.reader(), ports.RefundQuery{State: domain.RefundPending})
	require.NoError(t, err)
	assert.Zero(t, todo.Total)
	refunded, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.reader(), ports.RefundQuery{State: domain.RefundRefunded})
	require.NoError(t, err)
	require.Equal(t, 1, refunded.Total)
	assert.Equal(t, "Agnès Martin", refunded.Rows[0].Refund.RefundedBy)

	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, r.InvoiceID)
	require.NoError(t, err)
	require.Len(t, d.Refunds, 1)
	assert.True(t, d.Refunds[0].Refunded(), "the payer's page says it was refunded")

	stranger := ports.Citizen{BillerID: e.biller(), AccountID: uuid.New(), PayerID: e.newbie.ID}
	_, err = e.portal.Citizens().Invoice(e.ctx, stranger, r.InvoiceID)
	assert.ErrorIs(t, err, domain.ErrNotFound, "never another payer's")
}

func TestExportRefunds(t *testing.T) {
	e := newEnv(t)
	r := doublePaid(t, e)
	var buf bytes.Buffer
	require.NoError(t, e.portal.BackOfficePayments().ExportRefunds(e.ctx, e.reader(), ports.RefundQuery{}, &buf))
	text := buf.String()
	require.True(t, strings.HasPrefix(text, "\ufeff"))
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, ports.RefundExportColumns, rows[0])
	line := map[string]string{}
	for i, c := range rows[0] {
		line[c] = rows[1][i]
	}
	assert.Equal(t, r.InvoiceNumber, line["facture"])
	assert.Equal(t, r.Amount.StringFixed(2), line["montant_a_rembourser"])
	assert.Equal(t, "REF001", line["redevable_reference"])
	assert.Equal(t, r.Refdet, line["refdet"])
	assert.Equal(t, "op-1", line["operation"])
	assert.Equal(t, "hors portail", line["premier_reglement"])
	assert.Equal(t, "pending", line["etat"])
	assert.Equal(t, "À rembourser", line["etat_libelle"])
	assert.Empty(t, line["rembourse_le"])
	assert.Len(t, e.audits(t, domain.AuditRefundsExported), 1)

	buf.Reset()
	require.NoError(t, e.portal.BackOfficePayments().ExportRefunds(e.ctx, e.reader(), ports.RefundQuery{State: domain.RefundRefunded}, &buf))
	assert.Equal(t, 1, strings.Count(buf.String(), "\r\n"), "the header alone")
	err = e.portal.BackOfficePayments().ExportRefunds(e.ctx, ports.Actor{}, ports.RefundQuery{}, &buf)
	assert.ErrorIs(t, err, domain.ErrNotFound)
}

// unconfirmedOnPaid starts an attempt on the first invoice, has the
// service record it paid at the counter, then receives the legacy URL
// mode's "paid" for the attempt: unconfirmed, perhaps forged.
func unconfirmedOnPaid(t *testing.T, e *env) domain.Payment {
	t.Helper()
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	_, _, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, e.manager(), e.house.Invoices[0].Number, ports.InvoiceStatusChange{Status: domain.InvoicePaid})
	require.NoError(t, err)
	e.gateway.SetReport(pay.OperationID, domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total,
		Numcli: pay.Numcli, Method: domain.MethodCard, Authorization: "AUT-" + pay.OperationID, Code: "P", TransactionAt: e.clock.Now()})
	got, err := e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	require.True(t, got.Unconfirmed())
	e.checkPaidOnce(t, e.house.Invoices[0].ID, uuid.Nil)
	list, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.manager(), ports.RefundQuery{})
	require.NoError(t, err)
	assert.Zero(t, list.Total, "nobody is told to refund money that may never have come")
	assert.Empty(t, e.mails.To(e.house.Biller.Email))
	assert.Contains(t, got.Anomaly, "si ce paiement est confirmé")
	return got
}

func TestAnUnconfirmedPaymentIsToRefundOnceConfirmed(t *testing.T) {
	t.Run("by the service", func(t *testing.T) {
		e := newEnv(t)
		pay := unconfirmedOnPaid(t, e)
		require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), pay.ID))
		pay, err := e.store.Payment(e.ctx, pay.ID)
		require.NoError(t, err)
		r := e.onlyRefund(t, pay, e.invoice(t, e.house.Invoices[0].ID))
		assert.False(t, r.EarlierOnline())
		e.checkBillerMailed(t, r, "hors du portail")
		e.checkCitizenSees(t, r)
	})
	t.Run("by the DGFiP's settlement report", func(t *testing.T) {
		e := newEnv(t)
		pay := unconfirmedOnPaid(t, e)
		report := "EN-TETE;004200;RELEVE DES OPERATIONS PAYFIP\n" +
			"LIGNE;Date;Référence;Montant\n" +
			"LIGNE;" + e.clock.Now().In(domain.Paris).Format("02/01/2006") + ";" + pay.Refdet + ";" + strings.ReplaceAll(pay.Total.StringFixed(2), ".", ",") + "\n" +
			"PIED-DE-PAGE;1;" + strings.ReplaceAll(pay.Total.StringFixed(2), ".", ",") + "\n"
		res, err := e.portal.BackOfficePayments().ApplySettlementReport(e.ctx, e.manager(), strings.NewReader(report))
		require.NoError(t, err)
		require.Equal(t, 1, res.Confirmed)
		pay, err = e.store.Payment(e.ctx, pay.ID)
		require.NoError(t, err)
		r := e.onlyRefund(t, pay, e.invoice(t, e.house.Invoices[0].ID))
		e.checkBillerMailed(t, r, "hors du portail")
	})
}
