package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// otherBillersPayment saves a paid payment of the other biller's invoice.
func (e *env) otherBillersPayment() domain.Payment {
	e.T.Helper()
	b := e.otherBiller()
	inv, err := e.Store.Invoice(context.Background(), e.otherBillerInvoiceID())
	require.NoError(e.T, err)
	pay := portstest.NewPayment(e.T, b, domain.Account{ID: uuid.New(), PayerID: inv.PayerID}, inv)
	pay.State = domain.PaymentPaid
	require.NoError(e.T, e.Store.SavePayment(context.Background(), pay))
	return pay
}

func (e *env) payment(id uuid.UUID) domain.Payment {
	e.T.Helper()
	pay, err := e.Store.Payment(context.Background(), id)
	require.NoError(e.T, err)
	return pay
}

func TestStaffPaymentList(t *testing.T) {
	e := newEnv(t)
	pay := e.PaidUnconfirmed()
	theirs := e.otherBillersPayment()
	b := e.Reader()

	p := b.Get("/gestion/paiements")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "4 paiements", pay.Refdet, "Camille Martin (DEMO-0001)", water, "243,11", "Paiement accepté", "à confirmer",
		`href="/gestion/paiements/export.csv"`)
	notContains(t, p, theirs.Refdet)

	filters := map[string]bool{
		"etat=paid": true, "etat=refused": false,
		"refdet=" + strings.ToLower(pay.Refdet): true, "refdet=AUTRE123456": false,
		"redevable=DEMO-0001": true, "redevable=DEMO-0002": false,
		"du=2026-11-26&au=2026-11-26": true, "du=2026-11-27": false, "du=2026-11-01&au=2026-11-25": false, // the demo's payments of last year aside
		"anomalie=1": false,
	}
	for query, found := range filters {
		p := b.Get("/gestion/paiements?" + query)
		require.Equal(t, http.StatusOK, p.Status, query)
		if found {
			contains(t, p, pay.Refdet)
		} else {
			notContains(t, p, pay.Refdet)
			contains(t, p, "Aucun paiement ne correspond")
		}
	}
	p = b.Get("/gestion/paiements?redevable=INCONNU&etat=paid")
	contains(t, p, "Aucun redevable n'a la référence « INCONNU ».")
	p = b.Get("/gestion/paiements?etat=n-importe&du=hier")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "État de paiement inconnu.", "La date de début doit être une date")

	t.Run("the export keeps the filters", func(t *testing.T) {
		p := b.Get("/gestion/paiements?etat=paid&redevable=DEMO-0001")
		contains(t, p, `href="/gestion/paiements/export.csv?etat=paid&redevable=DEMO-0001"`)
		csv := b.Get("/gestion/paiements/export.csv?etat=paid&redevable=DEMO-0001")
		require.Equal(t, http.StatusOK, csv.Status)
		assert.Equal(t, "text/csv; charset=utf-8", csv.Header.Get("Content-Type"))
		assert.Contains(t, csv.Header.Get("Content-Disposition"), `attachment; filename="paiements-2026-11-26.csv"`)
		assert.True(t, strings.HasPrefix(csv.Body, "\ufeffrefdet;operation;cree_le;"))
		assert.Contains(t, csv.Body, pay.Refdet+";op-demo;2026-11-26T09:00:00+01:00;2026-11-26T09:10:00+01:00;paid;Paiement accepté;non;243.11;"+water)
		assert.NotContains(t, csv.Body, theirs.Refdet)
		none := b.Get("/gestion/paiements/export.csv?etat=refused")
		assert.NotContains(t, none.Body, pay.Refdet)
		bad := b.Get("/gestion/paiements/export.csv?du=hier")
		assert.Equal(t, http.StatusBadRequest, bad.Status)
	})
	t.Run("another biller's staff sees only theirs", func(t *testing.T) {
		o := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
		p := o.Get("/gestion/paiements")
		contains(t, p, theirs.Refdet)
		notContains(t, p, pay.Refdet)
		p = o.Get("/gestion/paiements/" + pay.ID.String())
		assert.Equal(t, http.StatusNotFound, p.Status, "a payment of another biller does not exist here")
		notContains(t, p, pay.Refdet)
		csv := o.Get("/gestion/paiements/export.csv")
		assert.NotContains(t, csv.Body, pay.Refdet)
		p = b.Get("/gestion/paiements/" + theirs.ID.String())
		assert.Equal(t, http.StatusNotFound, p.Status)
	})
	t.Run("citizens and strangers are sent to the staff login", func(t *testing.T) {
		p := e.Browser().LoginDemo().Get("/gestion/paiements")
		assert.Equal(t, http.StatusSeeOther, p.Status)
		assert.Contains(t, p.Location(), "/gestion/connexion")
		p = e.Browser().Get("/gestion/paiements/export.csv")
		assert.Equal(t, http.StatusSeeOther, p.Status)
	})
}

func TestStaffPaymentDetailAndReview(t *testing.T) {
	e := newEnv(t)
	pay := e.PaidUnconfirmed()
	path := "/gestion/paiements/" + pay.ID.String()

	r := e.Reader()
	p := r.Get(path)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Paiement "+pay.Refdet, "Paiement à confirmer", "non confirmé", "Camille Martin", water, "op-demo",
		"Historique", "Paiement créé : "+water, "paiement accepté", "(code P)", "carte bancaire")
	notContains(t, p, "Confirmer le paiement", "Rejeter")
	p = r.Get("/gestion/paiements/a-confirmer")
	contains(t, p, "1 paiement à confirmer", pay.Refdet)
	notContains(t, p, "<button type=\"submit\">Confirmer")
	for _, action := range []string{"/confirmer", "/rejeter"} {
		p = r.Post(path+action, nil)
		assert.Equal(t, http.StatusForbidden, p.Status, action)
		contains(t, p, "Votre rôle « lecture » permet de consulter mais pas de modifier.")
	}
	assert.False(t, e.payment(pay.ID).Confirmed)
	p = r.Get("/gestion/paiements/pas-un-id")
	assert.Equal(t, http.StatusNotFound, p.Status)

	m := e.Manager()
	p = m.Get(path)
	contains(t, p, "Confirmer le paiement", "Rejeter : paiement non reçu")

	t.Run("reject from the list: the invoice is open again", func(t *testing.T) {
		m.Get("/gestion/paiements/a-confirmer")
		p := m.Post(path+"/rejeter", url.Values{"retour": {"liste"}})
		require.Equal(t, http.StatusOK, p.Status, "the first click asks for confirmation")
		contains(t, p, "Rejeter le paiement "+pay.Refdet+" ?", "243,11", "Camille Martin (DEMO-0001)", water,
			"seront de nouveau à régler", "Le redevable en est informé par un courriel envoyé à "+pay.Email+".",
			`name="confirmation" value="oui"`, `name="retour" value="liste"`,
			"Confirmer", `href="/gestion/paiements/a-confirmer" class="bouton bouton-secondaire">Annuler`)
		assert.Equal(t, domain.PaymentPaid, e.payment(pay.ID).State, "and changes nothing")
		assert.False(t, e.payment(pay.ID).Confirmed)
		assert.Equal(t, domain.InvoicePaid, e.InvoiceState(water))
		p = m.Post(path+"/rejeter", url.Values{"retour": {"liste"}, "confirmation": {"oui"}})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		assert.Equal(t, "/gestion/paiements/a-confirmer?ok=paiement-rejete", p.Location())
		assert.Equal(t, domain.PaymentRejected, e.payment(pay.ID).State)
		assert.Equal(t, domain.InvoiceUnpaid, e.InvoiceState(water))
		p = m.Get(p.Location())
		contains(t, p, "Le paiement est rejeté", "Aucun paiement n'attend de confirmation.")
		p = m.Get(path)
		contains(t, p, "Paiement non reçu par le service", "Rejeté par le service de facturation (gestion@demo.fr)")
		m.Get(path)
		p = m.Post(path+"/confirmer", nil)
		assert.Equal(t, http.StatusConflict, p.Status, "a rejected payment cannot be confirmed")
		contains(t, p, "Seul un paiement accepté peut être confirmé")
	})
	t.Run("confirm from the detail", func(t *testing.T) {
		e := newEnv(t)
		pay := e.PaidUnconfirmed()
		m := e.Manager()
		m.Get("/gestion/paiements/" + pay.ID.String())
		p := m.Post("/gestion/paiements/"+pay.ID.String()+"/confirmer", nil)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		assert.Equal(t, "/gestion/paiements/"+pay.ID.String()+"?ok=paiement-confirme", p.Location())
		assert.True(t, e.payment(pay.ID).Confirmed)
		contains(t, m.Get(p.Location()), "Le paiement est confirmé.", "Paiement accepté, confirmé")
	})
	t.Run("another biller's manager cannot decide on it", func(t *testing.T) {
		e := newEnv(t)
		pay := e.PaidUnconfirmed()
		e.otherBiller()
		o := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
		o.Get("/gestion/paiements")
		p := o.Post("/gestion/paiements/"+pay.ID.String()+"/confirmer", nil)
		assert.Equal(t, http.StatusNotFound, p.Status)
		assert.False(t, e.payment(pay.ID).Confirmed)
	})
}

func TestStaffDeclaredInvoices(t *testing.T) {
	e := newEnv(t)
	citizen := e.Browser().LoginDemo()
	for _, n := range []string{canteen, nursery} {
		citizen.Get("/factures/" + idOf(n).String())
		p := citizen.Post("/factures/"+idOf(n).String()+"/reglee", nil)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	}

	r := e.Reader()
	p := r.Get("/gestion/factures-declarees")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "2 factures déclarées", canteen, nursery, "Camille Martin (DEMO-0001)", "58,40")
	notContains(t, p, "Confirmer le règlement", "Refuser")
	p = r.Post("/gestion/factures-declarees/"+idOf(canteen).String()+"/confirmer", nil)
	assert.Equal(t, http.StatusForbidden, p.Status)
	contains(t, p, "Votre rôle « lecture »")

	e.otherBiller()
	o := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	p = o.Get("/gestion/factures-declarees")
	contains(t, p, "0 factures déclarées")
	notContains(t, p, canteen)
	p = o.Post("/gestion/factures-declarees/"+idOf(canteen).String()+"/rejeter", nil)
	assert.Equal(t, http.StatusNotFound, p.Status)

	m := e.Manager()
	p = m.Get("/gestion/factures-declarees")
	contains(t, p, "Confirmer le règlement", "Refuser")
	p = m.Post("/gestion/factures-declarees/"+idOf(canteen).String()+"/confirmer", nil)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, domain.InvoicePaid, e.InvoiceState(canteen))

	before := e.MailsTo(demo.Email)
	m.Get("/gestion/factures-declarees")
	p = m.Post("/gestion/factures-declarees/"+idOf(nursery).String()+"/rejeter", nil)
	require.Equal(t, http.StatusOK, p.Status, "the first click asks for confirmation")
	contains(t, p, "Refuser la déclaration de la facture "+nursery+" ?", "Camille Martin",
		"Le redevable en est informé par un courriel envoyé à "+demo.Email, `name="confirmation" value="oui"`,
		`href="/gestion/factures-declarees" class="bouton bouton-secondaire">Annuler`)
	inv, err := e.Store.Invoice(context.Background(), idOf(nursery))
	require.NoError(t, err)
	assert.True(t, inv.Declared(), "and changes nothing")
	assert.Equal(t, before, e.MailsTo(demo.Email), "no mail yet")
	p = m.Post("/gestion/factures-declarees/"+idOf(nursery).String()+"/rejeter", url.Values{"confirmation": {"oui"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, domain.InvoiceUnpaid, e.InvoiceState(nursery))
	assert.Equal(t, before+1, e.MailsTo(demo.Email), "the payer is told")
	p = m.Get(p.Location())
	contains(t, p, "La déclaration est refusée", "0 factures déclarées", "Aucune facture n'est déclarée")
	p = citizen.Get("/factures/" + idOf(nursery).String())
	contains(t, p, "Non réglée")
}

func TestStaffSettlementReport(t *testing.T) {
	e := newEnv(t)
	pay := e.PaidUnconfirmed()
	report := "EN-TETE;004200\nLIGNE;Date;Référence;Montant\n" +
		"LIGNE;26/11/2026;" + pay.Refdet + ";243,11\n" +
		"LIGNE;26/11/2026;INCONNU12345;10,00\n"

	r := e.Reader()
	p := r.Get("/gestion/releve")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Relevé de règlement de la DGFiP", "LIGNE", "Votre rôle « lecture » permet de consulter mais pas d'envoyer un relevé.")
	notContains(t, p, `type="file"`)
	p = postUpload(r, "/gestion/releve", "releve", "releve.csv", []byte(report))
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.False(t, e.payment(pay.ID).Confirmed)

	m := e.Manager()
	p = m.Get("/gestion/releve")
	contains(t, p, `type="file"`, `enctype="multipart/form-data"`)
	p = postUpload(m, "/gestion/releve", "releve", "releve.csv", []byte("LIGNE;26/11/2026;"+pay.Refdet+";douze\n"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "ligne 1 : montant « douze » illisible")
	assert.False(t, e.payment(pay.ID).Confirmed)

	m.Get("/gestion/releve")
	p = postUpload(m, "/gestion/releve", "releve", "releve.csv", []byte(report))
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Résultat du relevé de règlement", "du 26/11/2026 au 26/11/2026", "dont 1 paiement confirmé",
		"Anomalies à examiner", "Référence inconnue du portail", "INCONNU12345", "10,00")
	assert.True(t, e.payment(pay.ID).Confirmed)

	t.Run("another biller's report touches nothing here", func(t *testing.T) {
		e.otherBiller()
		o := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
		o.Get("/gestion/releve")
		p := postUpload(o, "/gestion/releve", "releve", "releve.csv", []byte(report))
		require.Equal(t, http.StatusOK, p.Status)
		contains(t, p, "dont 0 paiements confirmés")
		notContains(t, p, `href="/gestion/paiements/`+pay.ID.String())
		assert.Empty(t, e.payment(pay.ID).Anomaly)
	})
	t.Run("no file", func(t *testing.T) {
		m.Get("/gestion/releve")
		p := postUpload(m, "/gestion/releve", "autre", "x.csv", nil)
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, "Choisissez le fichier du relevé.")
	})
}
