package ports_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestApplySettlementReport(t *testing.T) {
	e := newEnv(t)
	unconfirmed := e.paidUnconfirmed(t) // invoice 1, 10.01 €
	confirmed, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(2)[1:])
	require.NoError(t, err)
	e.gateway.SetOutcome(confirmed.OperationID, domain.OutcomePaid)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(confirmed.OperationID))
	require.NoError(t, err)
	refused, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(3)[2:])
	require.NoError(t, err)
	e.gateway.SetOutcome(refused.OperationID, domain.OutcomeRefused)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(refused.OperationID))
	require.NoError(t, err)
	other := portstest.NewPayment(t, e.house.Biller, e.house.Account, e.house.Invoices[2])
	other.State, other.Confirmed, other.TransactionAt = domain.PaymentPaid, true, epoch()
	require.NoError(t, e.store.SavePayment(e.ctx, other))

	report := "EN-TETE;004200;RELEVE DES OPERATIONS PAYFIP\n" +
		"LIGNE;Date;Référence;Montant\n" +
		"LIGNE;14/03/2025;" + unconfirmed.Refdet + ";10,01\n" +
		"LIGNE;14/03/2025;" + unconfirmed.Refdet + ";10,01\n" +
		"LIGNE;14/03/2025;" + refused.Refdet + ";10,03\n" +
		"LIGNE;14/03/2025;" + other.Refdet + ";99,00\n" +
		"LIGNE;14/03/2025;INCONNU12345;5,00\n" +
		"PIED-DE-PAGE;5;134,05\n"

	_, err = e.portal.BackOfficePayments().ApplySettlementReport(e.ctx, e.reader(), strings.NewReader(report))
	assert.ErrorIs(t, err, ports.ErrReadOnly)

	res, err := e.portal.BackOfficePayments().ApplySettlementReport(e.ctx, e.manager(), strings.NewReader(report))
	require.NoError(t, err)
	assert.Equal(t, domain.NewDate(2025, 3, 14), res.From)
	assert.Equal(t, 5, res.Lines)
	assert.Equal(t, 1, res.Matched)
	assert.Equal(t, 1, res.Confirmed)
	var kinds []domain.SettlementKind
	for _, m := range res.Mismatches {
		kinds = append(kinds, m.Kind)
	}
	assert.Equal(t, []domain.SettlementKind{domain.SettlementDuplicate, domain.SettlementPaidButOpen, domain.SettlementAmountDiffers,
		domain.SettlementUnknown, domain.SettlementOpenButPaid}, kinds)

	pay := func(id domain.Payment) domain.Payment {
		got, err := e.store.Payment(e.ctx, id.ID)
		require.NoError(t, err)
		return got
	}
	assert.True(t, pay(unconfirmed).Confirmed, "the report confirms the URL-mode payment")
	assert.Contains(t, pay(refused).Anomaly, "le portail l'a « Paiement refusé »")
	assert.Contains(t, pay(other).Anomaly, "indique 99,00")
	assert.Contains(t, pay(confirmed).Anomaly, "absent du relevé du 14/03/2025 au 14/03/2025")
	assert.Equal(t, domain.PaymentRefused, pay(refused).State, "nothing is settled: the service decides")
	tl := details(e.timeline(t, unconfirmed.ID))
	assert.Contains(t, strings.Join(tl, "\n"), "Présent au relevé de règlement du 14/03/2025 (ligne 3). Paiement confirmé par le relevé.")
	audits := e.audits(t, domain.AuditSettlementReport)
	require.Len(t, audits, 1)
	assert.Equal(t, "Relevé du 14/03/2025 au 14/03/2025", audits[0].Target)
	assert.Equal(t, "5 lignes : 1 rapprochées dont 1 paiements confirmés, 5 anomalies.", audits[0].Detail)
	list, err := e.portal.BackOfficePayments().Payments(e.ctx, e.reader(), ports.PaymentQuery{Anomaly: true})
	require.NoError(t, err)
	assert.Equal(t, 4, list.Total)

	t.Run("the same report again changes nothing more", func(t *testing.T) {
		before, events := pay(refused), len(e.timeline(t, refused.ID))
		res, err := e.portal.BackOfficePayments().ApplySettlementReport(e.ctx, e.manager(), strings.NewReader(report))
		require.NoError(t, err)
		assert.Zero(t, res.Confirmed)
		assert.Len(t, res.Mismatches, 5)
		assert.Equal(t, before.Anomaly, pay(refused).Anomaly)
		assert.Len(t, e.timeline(t, refused.ID), events, "the same anomaly is not repeated in the timeline")
	})
	t.Run("another biller's report finds none of these payments", func(t *testing.T) {
		res, err := e.portal.BackOfficePayments().ApplySettlementReport(e.ctx, e.otherBiller(t), strings.NewReader(report))
		require.NoError(t, err)
		assert.Zero(t, res.Matched)
		require.Len(t, res.Mismatches, 5)
		for _, m := range res.Mismatches {
			assert.Contains(t, []domain.SettlementKind{domain.SettlementUnknown, domain.SettlementDuplicate}, m.Kind)
			assert.Zero(t, m.PaymentID)
		}
	})
	t.Run("a faulty file changes nothing and names its lines", func(t *testing.T) {
		n := len(e.audits(t, domain.AuditSettlementReport))
		_, err := e.portal.BackOfficePayments().ApplySettlementReport(e.ctx, e.manager(), strings.NewReader("LIGNE;14/03/2025;"+unconfirmed.Refdet+";dix\n"))
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
		assert.Contains(t, domain.ErrorMessage(err), "ligne 1 : montant « dix »")
		assert.Len(t, e.audits(t, domain.AuditSettlementReport), n)
	})
}
