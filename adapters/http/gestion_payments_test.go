package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// paidUnconfirmed saves a payment of the demo's water invoice, paid on
// the word of a legacy URL-mode callback (not confirmed), the invoice
// settled by it, with two steps in its timeline.
func (e *env) paidUnconfirmed() domain.Payment {
	e.t.Helper()
	ctx := context.Background()
	b, err := e.store.Biller(ctx, demo.BillerID)
	require.NoError(e.t, err)
	acc, err := e.store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(e.t, err)
	inv, err := e.store.Invoice(ctx, idOf(water))
	require.NoError(e.t, err)
	pay := portstest.NewPayment(e.t, b, acc, inv)
	pay.CreatedAt, pay.OperationID = start.Add(-time.Hour), "op-demo"
	pay.State, pay.Method, pay.TransactionAt, pay.FinishedAt, pay.LastCode = domain.PaymentPaid, domain.MethodCard, start.Add(-50*time.Minute), start.Add(-50*time.Minute), "P"
	require.NoError(e.t, e.store.SavePayment(ctx, pay))
	_, err = inv.Settle(pay.ID, pay.TransactionAt, start)
	require.NoError(e.t, err)
	require.NoError(e.t, e.store.SaveInvoice(ctx, inv))
	for i, d := range []string{"Paiement créé : " + water + ".", "Retour du site de paiement (mode URL, non authentifié) : paiement accepté."} {
		require.NoError(e.t, e.store.SavePaymentEvent(ctx, domain.PaymentEvent{ID: uuid.New(), PaymentID: pay.ID, BillerID: pay.BillerID,
			At: pay.CreatedAt.Add(time.Duration(i) * time.Minute), State: pay.State, Code: "P", Detail: d}))
	}
	return pay
}

// otherBillersPayment saves a paid payment of the other biller's invoice.
func (e *env) otherBillersPayment() domain.Payment {
	e.t.Helper()
	b := e.otherBiller()
	inv, err := e.store.Invoice(context.Background(), e.otherBillerInvoiceID())
	require.NoError(e.t, err)
	pay := portstest.NewPayment(e.t, b, domain.Account{ID: uuid.New(), PayerID: inv.PayerID}, inv)
	pay.State = domain.PaymentPaid
	require.NoError(e.t, e.store.SavePayment(context.Background(), pay))
	return pay
}

func (e *env) payment(id uuid.UUID) domain.Payment {
	e.t.Helper()
	pay, err := e.store.Payment(context.Background(), id)
	require.NoError(e.t, err)
	return pay
}

func (e *env) invoiceState(number string) domain.InvoiceState {
	e.t.Helper()
	inv, err := e.store.Invoice(context.Background(), idOf(number))
	require.NoError(e.t, err)
	return inv.State
}

func TestStaffPaymentList(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed()
	theirs := e.otherBillersPayment()
	b := e.reader()

	p := b.get("/gestion/paiements")
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "1 paiement", pay.Refdet, "Camille Martin (DEMO-0001)", water, "243,11", "Paiement accepté", "à confirmer",
		`href="/gestion/paiements/export.csv"`)
	notContains(t, p, theirs.Refdet)

	filters := map[string]bool{
		"etat=paid": true, "etat=refused": false,
		"refdet=" + strings.ToLower(pay.Refdet): true, "refdet=AUTRE123456": false,
		"redevable=DEMO-0001": true, "redevable=DEMO-0002": false,
		"du=2026-11-26&au=2026-11-26": true, "du=2026-11-27": false, "au=2026-11-25": false,
		"anomalie=1": false,
	}
	for query, found := range filters {
		p := b.get("/gestion/paiements?" + query)
		require.Equal(t, http.StatusOK, p.status, query)
		if found {
			contains(t, p, pay.Refdet)
		} else {
			notContains(t, p, pay.Refdet)
			contains(t, p, "Aucun paiement ne correspond")
		}
	}
	p = b.get("/gestion/paiements?redevable=INCONNU&etat=paid")
	contains(t, p, "Aucun redevable n'a la référence « INCONNU ».")
	p = b.get("/gestion/paiements?etat=n-importe&du=hier")
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "État de paiement inconnu.", "La date de début doit être une date")

	t.Run("the export keeps the filters", func(t *testing.T) {
		p := b.get("/gestion/paiements?etat=paid&redevable=DEMO-0001")
		contains(t, p, `href="/gestion/paiements/export.csv?etat=paid&redevable=DEMO-0001"`)
		csv := b.get("/gestion/paiements/export.csv?etat=paid&redevable=DEMO-0001")
		require.Equal(t, http.StatusOK, csv.status)
		assert.Equal(t, "text/csv; charset=utf-8", csv.header.Get("Content-Type"))
		assert.Contains(t, csv.header.Get("Content-Disposition"), `attachment; filename="paiements-2026-11-26.csv"`)
		assert.True(t, strings.HasPrefix(csv.body, "\ufeffrefdet;operation;cree_le;"))
		assert.Contains(t, csv.body, pay.Refdet+";op-demo;2026-11-26T09:00:00+01:00;2026-11-26T09:10:00+01:00;paid;Paiement accepté;non;243.11;"+water)
		assert.NotContains(t, csv.body, theirs.Refdet)
		none := b.get("/gestion/paiements/export.csv?etat=refused")
		assert.NotContains(t, none.body, pay.Refdet)
		bad := b.get("/gestion/paiements/export.csv?du=hier")
		assert.Equal(t, http.StatusBadRequest, bad.status)
	})
	t.Run("another biller's staff sees only theirs", func(t *testing.T) {
		o := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
		p := o.get("/gestion/paiements")
		contains(t, p, theirs.Refdet)
		notContains(t, p, pay.Refdet)
		p = o.get("/gestion/paiements/" + pay.ID.String())
		assert.Equal(t, http.StatusNotFound, p.status, "a payment of another biller does not exist here")
		notContains(t, p, pay.Refdet)
		csv := o.get("/gestion/paiements/export.csv")
		assert.NotContains(t, csv.body, pay.Refdet)
		p = b.get("/gestion/paiements/" + theirs.ID.String())
		assert.Equal(t, http.StatusNotFound, p.status)
	})
	t.Run("citizens and strangers are sent to the staff login", func(t *testing.T) {
		p := e.browser().loginDemo().get("/gestion/paiements")
		assert.Equal(t, http.StatusSeeOther, p.status)
		assert.Contains(t, p.location(), "/gestion/connexion")
		p = e.browser().get("/gestion/paiements/export.csv")
		assert.Equal(t, http.StatusSeeOther, p.status)
	})
}

func TestStaffPaymentDetailAndReview(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed()
	path := "/gestion/paiements/" + pay.ID.String()

	r := e.reader()
	p := r.get(path)
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "Paiement "+pay.Refdet, "Paiement à confirmer", "non confirmé", "Camille Martin", water, "op-demo",
		"Historique", "Paiement créé : "+water, "paiement accepté", "(code P)", "carte bancaire")
	notContains(t, p, "Confirmer le paiement", "Rejeter")
	p = r.get("/gestion/paiements/a-confirmer")
	contains(t, p, "1 paiement à confirmer", pay.Refdet)
	notContains(t, p, "<button type=\"submit\">Confirmer")
	for _, action := range []string{"/confirmer", "/rejeter"} {
		p = r.post(path+action, nil)
		assert.Equal(t, http.StatusForbidden, p.status, action)
		contains(t, p, "Votre rôle « lecture » permet de consulter mais pas de modifier.")
	}
	assert.False(t, e.payment(pay.ID).Confirmed)
	p = r.get("/gestion/paiements/pas-un-id")
	assert.Equal(t, http.StatusNotFound, p.status)

	m := e.manager()
	p = m.get(path)
	contains(t, p, "Confirmer le paiement", "Rejeter : paiement non reçu")

	t.Run("reject from the list: the invoice is open again", func(t *testing.T) {
		m.get("/gestion/paiements/a-confirmer")
		p := m.post(path+"/rejeter", url.Values{"retour": {"liste"}})
		require.Equal(t, http.StatusOK, p.status, "the first click asks for confirmation")
		contains(t, p, "Rejeter le paiement "+pay.Refdet+" ?", "243,11", "Camille Martin (DEMO-0001)", water,
			"seront de nouveau à régler", "Le redevable en est informé par un courriel envoyé à "+pay.Email+".",
			`name="confirmation" value="oui"`, `name="retour" value="liste"`,
			"Confirmer", `href="/gestion/paiements/a-confirmer" class="bouton bouton-secondaire">Annuler`)
		assert.Equal(t, domain.PaymentPaid, e.payment(pay.ID).State, "and changes nothing")
		assert.False(t, e.payment(pay.ID).Confirmed)
		assert.Equal(t, domain.InvoicePaid, e.invoiceState(water))
		p = m.post(path+"/rejeter", url.Values{"retour": {"liste"}, "confirmation": {"oui"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/gestion/paiements/a-confirmer?ok=paiement-rejete", p.location())
		assert.Equal(t, domain.PaymentRejected, e.payment(pay.ID).State)
		assert.Equal(t, domain.InvoiceUnpaid, e.invoiceState(water))
		p = m.get(p.location())
		contains(t, p, "Le paiement est rejeté", "Aucun paiement n'attend de confirmation.")
		p = m.get(path)
		contains(t, p, "Paiement non reçu par le service", "Rejeté par le service de facturation (gestion@demo.fr)")
		m.get(path)
		p = m.post(path+"/confirmer", nil)
		assert.Equal(t, http.StatusConflict, p.status, "a rejected payment cannot be confirmed")
		contains(t, p, "Seul un paiement accepté peut être confirmé")
	})
	t.Run("confirm from the detail", func(t *testing.T) {
		e := newEnv(t)
		pay := e.paidUnconfirmed()
		m := e.manager()
		m.get("/gestion/paiements/" + pay.ID.String())
		p := m.post("/gestion/paiements/"+pay.ID.String()+"/confirmer", nil)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/gestion/paiements/"+pay.ID.String()+"?ok=paiement-confirme", p.location())
		assert.True(t, e.payment(pay.ID).Confirmed)
		contains(t, m.get(p.location()), "Le paiement est confirmé.", "Paiement accepté, confirmé")
	})
	t.Run("another biller's manager cannot decide on it", func(t *testing.T) {
		e := newEnv(t)
		pay := e.paidUnconfirmed()
		e.otherBiller()
		o := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
		o.get("/gestion/paiements")
		p := o.post("/gestion/paiements/"+pay.ID.String()+"/confirmer", nil)
		assert.Equal(t, http.StatusNotFound, p.status)
		assert.False(t, e.payment(pay.ID).Confirmed)
	})
}

func TestStaffDeclaredInvoices(t *testing.T) {
	e := newEnv(t)
	citizen := e.browser().loginDemo()
	for _, n := range []string{canteen, nursery} {
		citizen.get("/factures/" + idOf(n).String())
		p := citizen.post("/factures/"+idOf(n).String()+"/reglee", nil)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
	}

	r := e.reader()
	p := r.get("/gestion/factures-declarees")
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "2 factures déclarées", canteen, nursery, "Camille Martin (DEMO-0001)", "58,40")
	notContains(t, p, "Confirmer le règlement", "Refuser")
	p = r.post("/gestion/factures-declarees/"+idOf(canteen).String()+"/confirmer", nil)
	assert.Equal(t, http.StatusForbidden, p.status)
	contains(t, p, "Votre rôle « lecture »")

	e.otherBiller()
	o := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
	p = o.get("/gestion/factures-declarees")
	contains(t, p, "0 factures déclarées")
	notContains(t, p, canteen)
	p = o.post("/gestion/factures-declarees/"+idOf(canteen).String()+"/rejeter", nil)
	assert.Equal(t, http.StatusNotFound, p.status)

	m := e.manager()
	p = m.get("/gestion/factures-declarees")
	contains(t, p, "Confirmer le règlement", "Refuser")
	p = m.post("/gestion/factures-declarees/"+idOf(canteen).String()+"/confirmer", nil)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, domain.InvoicePaid, e.invoiceState(canteen))

	before := e.mailsTo(demo.Email)
	m.get("/gestion/factures-declarees")
	p = m.post("/gestion/factures-declarees/"+idOf(nursery).String()+"/rejeter", nil)
	require.Equal(t, http.StatusOK, p.status, "the first click asks for confirmation")
	contains(t, p, "Refuser la déclaration de la facture "+nursery+" ?", "Camille Martin",
		"Le redevable en est informé par un courriel envoyé à "+demo.Email, `name="confirmation" value="oui"`,
		`href="/gestion/factures-declarees" class="bouton bouton-secondaire">Annuler`)
	inv, err := e.store.Invoice(context.Background(), idOf(nursery))
	require.NoError(t, err)
	assert.True(t, inv.Declared(), "and changes nothing")
	assert.Equal(t, before, e.mailsTo(demo.Email), "no mail yet")
	p = m.post("/gestion/factures-declarees/"+idOf(nursery).String()+"/rejeter", url.Values{"confirmation": {"oui"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoiceState(nursery))
	assert.Equal(t, before+1, e.mailsTo(demo.Email), "the payer is told")
	p = m.get(p.location())
	contains(t, p, "La déclaration est refusée", "0 factures déclarées", "Aucune facture n'est déclarée")
	p = citizen.get("/factures/" + idOf(nursery).String())
	contains(t, p, "Non réglée")
}

func TestStaffSettlementReport(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed()
	report := "EN-TETE;004200\nLIGNE;Date;Référence;Montant\n" +
		"LIGNE;26/11/2026;" + pay.Refdet + ";243,11\n" +
		"LIGNE;26/11/2026;INCONNU12345;10,00\n"

	r := e.reader()
	p := r.get("/gestion/releve")
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "Relevé de règlement de la DGFiP", "LIGNE", "Votre rôle « lecture » permet de consulter mais pas d'envoyer un relevé.")
	notContains(t, p, `type="file"`)
	p = r.postUpload("/gestion/releve", "releve", "releve.csv", []byte(report))
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.False(t, e.payment(pay.ID).Confirmed)

	m := e.manager()
	p = m.get("/gestion/releve")
	contains(t, p, `type="file"`, `enctype="multipart/form-data"`)
	p = m.postUpload("/gestion/releve", "releve", "releve.csv", []byte("LIGNE;26/11/2026;"+pay.Refdet+";douze\n"))
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "ligne 1 : montant « douze » illisible")
	assert.False(t, e.payment(pay.ID).Confirmed)

	m.get("/gestion/releve")
	p = m.postUpload("/gestion/releve", "releve", "releve.csv", []byte(report))
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "Résultat du relevé de règlement", "du 26/11/2026 au 26/11/2026", "dont 1 paiement confirmé",
		"Anomalies à examiner", "Référence inconnue du portail", "INCONNU12345", "10,00")
	assert.True(t, e.payment(pay.ID).Confirmed)

	t.Run("another biller's report touches nothing here", func(t *testing.T) {
		e.otherBiller()
		o := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
		o.get("/gestion/releve")
		p := o.postUpload("/gestion/releve", "releve", "releve.csv", []byte(report))
		require.Equal(t, http.StatusOK, p.status)
		contains(t, p, "dont 0 paiements confirmés")
		notContains(t, p, `href="/gestion/paiements/`+pay.ID.String())
		assert.Empty(t, e.payment(pay.ID).Anomaly)
	})
	t.Run("no file", func(t *testing.T) {
		m.get("/gestion/releve")
		p := m.postUpload("/gestion/releve", "autre", "x.csv", nil)
		assert.Equal(t, http.StatusBadRequest, p.status)
		contains(t, p, "Choisissez le fichier du relevé.")
	})
}
