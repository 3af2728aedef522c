package ports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// staffOf returns a staff actor of biller with role.
func staffOf(biller uuid.UUID, role domain.StaffRole) ports.Actor {
	return ports.Actor{Kind: domain.ActorStaff, BillerID: biller, ID: uuid.New(), Label: "agent@testville.fr", Role: role, IP: "192.0.2.7"}
}

func (e *env) manager() ports.Actor { return staffOf(e.biller(), domain.RoleManager) }
func (e *env) reader() ports.Actor  { return staffOf(e.biller(), domain.RoleReader) }

// otherBiller saves a second biller and returns a manager of it.
func (e *env) otherBiller(t *testing.T) ports.Actor {
	t.Helper()
	b := portstest.NewBiller(t)
	require.NoError(t, e.store.SaveBiller(e.ctx, b))
	return staffOf(b.ID, domain.RoleManager)
}

// paidUnconfirmed pays the first invoice through the legacy URL mode: the
// result comes from an unauthenticated callback and is not confirmed.
func (e *env) paidUnconfirmed(t *testing.T) domain.Payment {
	t.Helper()
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetReport(pay.OperationID, domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total,
		Numcli: pay.Numcli, Method: domain.MethodCard, Code: "P", TransactionAt: e.clock.Now()})
	got, err := e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	require.True(t, got.Unconfirmed())
	return got
}

func (e *env) timeline(t *testing.T, id uuid.UUID) []domain.PaymentEvent {
	t.Helper()
	events, err := e.store.PaymentEvents(e.ctx, id)
	require.NoError(t, err)
	return events
}

func (e *env) audits(t *testing.T, action domain.AuditAction) []domain.AuditEvent {
	t.Helper()
	list, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: e.biller(), Action: action})
	require.NoError(t, err)
	return list
}

func details(events []domain.PaymentEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = string(ev.State) + " " + ev.Code + " " + ev.Detail
	}
	return out
}

func TestPaymentTimeline(t *testing.T) {
	t.Run("every step of a paid attempt, in order, replays once", func(t *testing.T) {
		e := newEnv(t)
		pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(2))
		require.NoError(t, err)
		_, err = e.portal.Jobs().Reconcile(e.ctx) // P5: not known yet
		require.NoError(t, err)
		_, err = e.portal.Jobs().Reconcile(e.ctx) // the same again: not repeated
		require.NoError(t, err)
		e.advance(3 * time.Minute)
		e.gateway.SetOutcome("op-1", domain.OutcomePaid)
		_, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
		require.NoError(t, err)
		for range 3 {
			_, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
			require.NoError(t, err)
		}
		events := e.timeline(t, pay.ID)
		got := details(events)
		require.Len(t, got, 5, "%q", got)
		assert.Contains(t, got[0], "created  Paiement créé : 2025-000001, 2025-000002")
		assert.Contains(t, got[1], "in_progress  Redevable envoyé sur le site de paiement de la DGFiP, opération op-1.")
		assert.Contains(t, got[2], "in_progress P5 Vérification périodique auprès de la DGFiP : résultat pas encore connu, sans changement.")
		assert.Contains(t, got[3], "paid P Notification, résultat demandé à la DGFiP : paiement accepté (carte bancaire), confirmé par la DGFiP.")
		assert.Contains(t, got[4], "paid P Notification, résultat demandé à la DGFiP : paiement accepté (carte bancaire), sans changement.")
		for i := 1; i < len(events); i++ {
			assert.True(t, events[i].At.After(events[i-1].At), "strictly ordered by time")
			assert.Equal(t, e.biller(), events[i].BillerID)
		}
	})
	t.Run("gateway refusal, expiry and a refused report", func(t *testing.T) {
		e := newEnv(t)
		e.gateway.FailNextStarts(1, &domain.Error{Code: domain.Invalid, Message: "Référence invalide.", Err: codedErr{"R3"}})
		_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.Error(t, err)
		req, _ := e.gateway.LastRequest()
		got := details(e.timeline(t, req.PaymentID))
		require.Len(t, got, 2)
		assert.Equal(t, "failed R3 La DGFiP a refusé de créer l'opération de paiement.", got[1])

		pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetReport(pay.OperationID, domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: dec("0.01"), Code: "P"})
		_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		e.advance(domain.OperationWindow)
		e.gateway.SetOutcome(pay.OperationID, domain.OutcomeUnknown)
		_, err = e.portal.Jobs().Reconcile(e.ctx)
		require.NoError(t, err)
		got = details(e.timeline(t, pay.ID))
		require.Len(t, got, 4, "%q", got)
		assert.Contains(t, got[2], "in_progress P Notification, résultat demandé à la DGFiP : résultat refusé, il ne correspond pas à ce paiement")
		assert.Contains(t, got[3], "expired P1 Vérification périodique auprès de la DGFiP : opération inconnue ou expirée à la DGFiP ; un paiement peut encore arriver : les factures restent réservées jusqu'au ")
	})
	t.Run("an unconfirmed callback says it awaits confirmation", func(t *testing.T) {
		e := newEnv(t)
		pay := e.paidUnconfirmed(t)
		got := details(e.timeline(t, pay.ID))
		assert.Contains(t, got[len(got)-1], "paiement accepté (carte bancaire), à confirmer par le service ou par le relevé de règlement.")
	})
}

func TestBackOfficePaymentList(t *testing.T) {
	e := newEnv(t)
	paid := e.paidUnconfirmed(t)
	e.advance(time.Hour)
	live, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(3)[1:])
	require.NoError(t, err)

	all, err := e.portal.BackOfficePayments().Payments(e.ctx, e.reader(), ports.PaymentQuery{})
	require.NoError(t, err)
	require.Equal(t, 2, all.Total)
	assert.Equal(t, live.ID, all.Rows[0].Payment.ID, "newest first")
	assert.Equal(t, "REF001", all.Rows[0].Payer.ExternalRef)
	assert.Equal(t, ports.Paging{Page: 1, Pages: 1, PerPage: ports.PaymentsPerPage}, all.Paging)

	filters := []struct {
		name string
		q    ports.PaymentQuery
		want []uuid.UUID
	}{
		{"by state", ports.PaymentQuery{States: []domain.PaymentState{domain.PaymentPaid}}, []uuid.UUID{paid.ID}},
		{"by refdet", ports.PaymentQuery{Refdet: live.Refdet}, []uuid.UUID{live.ID}},
		{"by dates", ports.PaymentQuery{From: epoch().Add(30 * time.Minute)}, []uuid.UUID{live.ID}},
		{"awaiting confirmation", ports.PaymentQuery{Unconfirmed: true}, []uuid.UUID{paid.ID}},
		{"by payer", ports.PaymentQuery{PayerID: e.newbie.ID}, nil},
		{"another biller's id in the query is ignored", ports.PaymentQuery{BillerID: uuid.New(), Refdet: paid.Refdet}, []uuid.UUID{paid.ID}},
		{"paging", ports.PaymentQuery{Offset: 1, Limit: 1}, []uuid.UUID{paid.ID}},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			list, err := e.portal.BackOfficePayments().Payments(e.ctx, e.manager(), f.q)
			require.NoError(t, err)
			var ids []uuid.UUID
			for _, r := range list.Rows {
				ids = append(ids, r.Payment.ID)
			}
			assert.Equal(t, f.want, ids)
		})
	}

	payer, err := e.portal.BackOfficePayments().PaymentsPayer(e.ctx, e.reader(), " REF001 ")
	require.NoError(t, err)
	assert.Equal(t, e.house.Payer.ID, payer.ID)
	_, err = e.portal.BackOfficePayments().PaymentsPayer(e.ctx, e.reader(), "NOPE")
	assert.Contains(t, domain.ErrorMessage(err), "« NOPE »")

	t.Run("another biller's staff sees none of it", func(t *testing.T) {
		other := e.otherBiller(t)
		list, err := e.portal.BackOfficePayments().Payments(e.ctx, other, ports.PaymentQuery{})
		require.NoError(t, err)
		assert.Zero(t, list.Total)
		_, err = e.portal.BackOfficePayments().PaymentDetail(e.ctx, other, paid.ID)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = e.portal.BackOfficePayments().PaymentsPayer(e.ctx, other, "REF001")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		assert.ErrorIs(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, other, paid.ID), domain.ErrNotFound)
		assert.ErrorIs(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, other, paid.ID), domain.ErrNotFound)
	})
	t.Run("a citizen or nobody is not an actor", func(t *testing.T) {
		_, err := e.portal.BackOfficePayments().Payments(e.ctx, ports.Actor{Kind: domain.ActorCitizen, BillerID: e.biller()}, ports.PaymentQuery{})
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = e.portal.BackOfficePayments().Payments(e.ctx, ports.Actor{}, ports.PaymentQuery{})
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestPaymentDetail(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed(t)
	d, err := e.portal.BackOfficePayments().PaymentDetail(e.ctx, e.reader(), pay.ID)
	require.NoError(t, err)
	assert.Equal(t, pay.Refdet, d.Payment.Refdet)
	assert.Equal(t, "Redevable REF001", d.Payer.Name)
	require.Len(t, d.Invoices, 1)
	assert.Equal(t, domain.InvoicePaid, d.Invoices[0].State)
	assert.Len(t, d.Timeline, 3)
	_, err = e.portal.BackOfficePayments().PaymentDetail(e.ctx, e.reader(), uuid.New())
	assert.ErrorIs(t, err, domain.ErrNotFound)
}

func TestConfirmUnconfirmedPayment(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed(t)
	assert.ErrorIs(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.reader(), pay.ID), ports.ErrReadOnly)

	require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), pay.ID))
	got, err := e.store.Payment(e.ctx, pay.ID)
	require.NoError(t, err)
	assert.True(t, got.Confirmed)
	list, err := e.portal.BackOfficePayments().Payments(e.ctx, e.reader(), ports.PaymentQuery{Unconfirmed: true})
	require.NoError(t, err)
	assert.Zero(t, list.Total, "no longer awaiting confirmation")
	audits := e.audits(t, domain.AuditPaymentConfirmed)
	require.Len(t, audits, 1)
	assert.Equal(t, pay.Refdet, audits[0].Target)
	assert.Equal(t, "agent@testville.fr", audits[0].ActorLabel)
	assert.Equal(t, "192.0.2.7", audits[0].IP)
	tl := details(e.timeline(t, pay.ID))
	assert.Contains(t, tl[len(tl)-1], "Confirmé par le service de facturation (agent@testville.fr).")

	require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), pay.ID), "twice is harmless")
	assert.Len(t, e.audits(t, domain.AuditPaymentConfirmed), 1, "and audited once")
	err = e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), pay.ID)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "a confirmed payment cannot be rejected")
}

func TestRejectUnconfirmedPayment(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed(t)
	invID := e.house.Invoices[0].ID
	require.Equal(t, domain.InvoicePaid, e.invoice(t, invID).State)
	assert.ErrorIs(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.reader(), pay.ID), ports.ErrReadOnly)

	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), pay.ID))
	got, err := e.store.Payment(e.ctx, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentRejected, got.State)
	inv := e.invoice(t, invID)
	assert.Equal(t, domain.InvoiceUnpaid, inv.State, "the invoice is open again")
	assert.Equal(t, uuid.Nil, inv.PaymentID)
	audits := e.audits(t, domain.AuditPaymentRejected)
	require.Len(t, audits, 1)
	assert.Contains(t, audits[0].Detail, "factures de nouveau à régler : 2025-000001")

	// The forged or replayed callback cannot settle it again.
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, invID).State)
	sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.Len(t, sel.Invoices, 3, "the payer can pay it again")
	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), pay.ID), "twice is harmless")
	assert.Len(t, e.audits(t, domain.AuditPaymentRejected), 1)
}

func TestExportPayments(t *testing.T) {
	e := newEnv(t)
	payer, err := e.store.Payer(e.ctx, e.house.Payer.ID)
	require.NoError(t, err)
	payer.Name = "=HYPERLINK(\"http://evil\";\"x\")"
	require.NoError(t, e.store.SavePayer(e.ctx, payer))
	paid := e.paidUnconfirmed(t)
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(3)[1:])
	require.NoError(t, err)

	var b strings.Builder
	require.NoError(t, e.portal.BackOfficePayments().ExportPayments(e.ctx, e.reader(), ports.PaymentQuery{Limit: 1}, &b))
	out := b.String()
	require.True(t, strings.HasPrefix(out, "\ufeff"), "a BOM for spreadsheets")
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(out, "\ufeff"), "\r\n"), "\r\n")
	require.Len(t, lines, 4, "the header, then one line per invoice of every payment, all pages")
	assert.Equal(t, strings.Join(ports.PaymentExportColumns, ";"), lines[0])
	var paidLine string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, paid.Refdet) {
			paidLine = l
		}
	}
	require.NotEmpty(t, paidLine)
	// Epoch is 14 March 2025, 09:30:15 UTC: 10:30:15 in Paris (winter time).
	want := paid.Refdet + ";op-1;2025-03-14T10:30:15+01:00;2025-03-14T10:30:15+01:00;paid;Paiement accepté;non;10.01;2025-000001;10.01;REF001;" +
		`"'=HYPERLINK(""http://evil"";""x"")";ref001@exemple.fr;carte bancaire;;P;;` + paid.ID.String() + ";W;;non"
	assert.Equal(t, want, paidLine)
	audits := e.audits(t, domain.AuditPaymentsExported)
	require.Len(t, audits, 1)
	assert.Equal(t, "Export CSV de 2 paiements.", audits[0].Detail)

	t.Run("filters apply and another biller exports nothing of it", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, e.portal.BackOfficePayments().ExportPayments(e.ctx, e.reader(), ports.PaymentQuery{Refdet: paid.Refdet}, &b))
		assert.Equal(t, 2, strings.Count(b.String(), "\r\n"), "the header and the paid attempt's one invoice")
		b.Reset()
		require.NoError(t, e.portal.BackOfficePayments().ExportPayments(e.ctx, e.otherBiller(t), ports.PaymentQuery{}, &b))
		assert.Equal(t, 1, strings.Count(b.String(), "\r\n"), "the header only")
	})
}

func TestDeclaredPayments(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(2)
	for _, id := range ids {
		require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, id))
	}
	declaredAt := e.clock.Now()
	e.advance(24 * time.Hour)

	list, err := e.portal.BackOfficePayments().DeclaredInvoices(e.ctx, e.reader(), 1)
	require.NoError(t, err)
	require.Equal(t, 2, list.Total)
	assert.Equal(t, "REF001", list.Rows[0].Payer.ExternalRef)
	other := e.otherBiller(t)
	none, err := e.portal.BackOfficePayments().DeclaredInvoices(e.ctx, other, 1)
	require.NoError(t, err)
	assert.Zero(t, none.Total)

	for _, a := range []ports.Actor{e.reader(), other} {
		assert.Error(t, e.portal.BackOfficePayments().ConfirmDeclared(e.ctx, a, ids[0]))
		assert.Error(t, e.portal.BackOfficePayments().RejectDeclared(e.ctx, a, ids[1]))
	}
	assert.ErrorIs(t, e.portal.BackOfficePayments().ConfirmDeclared(e.ctx, other, ids[0]), domain.ErrNotFound)
	assert.ErrorIs(t, e.portal.BackOfficePayments().ConfirmDeclared(e.ctx, e.reader(), ids[0]), ports.ErrReadOnly)

	t.Run("confirmed: settled outside the portal at the declaration", func(t *testing.T) {
		require.NoError(t, e.portal.BackOfficePayments().ConfirmDeclared(e.ctx, e.manager(), ids[0]))
		inv := e.invoice(t, ids[0])
		assert.Equal(t, domain.InvoicePaid, inv.State)
		assert.Equal(t, uuid.Nil, inv.PaymentID)
		assert.True(t, declaredAt.Equal(inv.PaidAt))
		require.Len(t, e.audits(t, domain.AuditDeclaredConfirmed), 1)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(e.portal.BackOfficePayments().ConfirmDeclared(e.ctx, e.manager(), ids[0])), "no longer declared")
	})
	t.Run("rejected: open again, and the payer is told in French", func(t *testing.T) {
		e.mails.Reset()
		require.NoError(t, e.portal.BackOfficePayments().RejectDeclared(e.ctx, e.manager(), ids[1]))
		inv := e.invoice(t, ids[1])
		assert.Equal(t, domain.InvoiceUnpaid, inv.State)
		assert.False(t, inv.Declared())
		mails := e.mails.To("ref001@exemple.fr")
		require.Len(t, mails, 1)
		assert.Equal(t, "Facture 2025-000002 : règlement non reçu", mails[0].Subject)
		assert.Contains(t, mails[0].Text, "Le service de facturation n'a pas trouvé ce règlement")
		assert.Contains(t, mails[0].Text, "https://factures.testville.fr/factures/"+ids[1].String())
		assert.Contains(t, mails[0].HTML, "10,02")
		assert.Equal(t, e.house.Biller.Email, mails[0].ReplyTo)
		audits := e.audits(t, domain.AuditDeclaredRejected)
		require.Len(t, audits, 1)
		assert.Contains(t, audits[0].Detail, "courriel envoyé à ref001@exemple.fr")
		list, err := e.portal.BackOfficePayments().DeclaredInvoices(e.ctx, e.reader(), 1)
		require.NoError(t, err)
		assert.Zero(t, list.Total)
	})
}

func TestRejectedPaymentTellsThePayer(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed(t)
	e.mails.Reset()
	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), pay.ID))

	mails := e.mails.To(pay.Email)
	require.Len(t, mails, 1, "the payer was told « en attente de confirmation »: they are told it was not received")
	m := mails[0]
	assert.Equal(t, "Paiement de 10,01 € non reçu par le service", m.Subject)
	for _, body := range []string{m.Text, m.HTML} {
		assert.Contains(t, body, "n'a pas reçu votre paiement en ligne de 10,01\u00a0€")
		assert.Contains(t, body, pay.Refdet)
		assert.Contains(t, body, "La facture 2025-000001 est donc de nouveau à régler")
		assert.Contains(t, body, "https://factures.testville.fr/factures")
		assert.Contains(t, body, "Mes factures")
	}
	assert.Equal(t, e.house.Biller.Email, m.ReplyTo)
	audits := e.audits(t, domain.AuditPaymentRejected)
	require.Len(t, audits, 1)
	assert.Contains(t, audits[0].Detail, "courriel envoyé à "+pay.Email)

	e.mails.Reset()
	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), pay.ID), "twice is harmless")
	assert.Empty(t, e.mails.To(pay.Email), "and mails once")
}
