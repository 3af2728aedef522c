package backoffice

import (
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// Decisions the payer sees (rejecting a payment, refusing a declared
// payment) and those on a staff member (disabling, resetting) are asked
// twice: the button posts without the confirmation
// field and gets a page saying what will happen, with « Confirmer »
// (the same post, confirmed) and « Annuler ». Nothing changes on the
// first post. It works without JavaScript.

const pageStaffConfirm = "confirm"

// confirmField is the field that makes a decision's post final.
const confirmField = "confirmation"

// confirmed reports whether the post carries the confirmation.
func confirmed(r *http.Request) bool { return r.PostForm.Get(confirmField) == "oui" }

type staffConfirmPage struct {
	kit.Base
	// Lines say what the decision is about and what it will do.
	Lines []string
	// Action is where « Confirmer » posts; Hidden are the fields the first
	// post carried, sent again.
	Action string
	Hidden map[string]string
	Field  string
	Cancel string
	// Button names the decision on the confirming button; « Confirmer »
	// when empty.
	Button string
}

// askRejectPayment is the confirmation of « Rejeter : paiement non reçu ».
func (s *BackOffice) askRejectPayment(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOfficePayments().PaymentDetail(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	// The invoices a double payment still to refund would settle instead
	// (ports.PaymentDetail.Settlers) do not reopen.
	var numbers, kept []string
	for _, inv := range d.Invoices {
		if settler, ok := d.Settlers[inv.ID]; ok {
			kept = append(kept, "La facture "+inv.Number+" restera réglée par le paiement "+settler.Refdet+", reçu en double : ce double paiement ne sera plus à rembourser.")
			continue
		}
		numbers = append(numbers, inv.Number)
	}
	payer := "le redevable"
	if d.Payer.Name != "" {
		payer = d.Payer.Name + " (" + d.Payer.ExternalRef + ")"
	}
	// The payer is mailed at the address the payment was made with
	// (ports.Portal.RejectPayment), else the payer's.
	to := d.Payment.Email
	if to == "" {
		to = d.Payer.Email
	}
	told := "Le redevable n'a pas d'adresse de messagerie : il faudra le prévenir par un autre moyen."
	if to != "" {
		told = "Le redevable en est informé par un courriel envoyé à " + to + "."
	}
	p := &staffConfirmPage{Base: kit.Base{Title: "Rejeter le paiement " + d.Payment.Refdet + " ?", Menu: menuStaffPayments},
		Lines: []string{
			"Vous indiquez que le service n'a pas reçu le paiement " + d.Payment.Refdet + " de " + domain.FormatEuros(d.Payment.Total) + " de " + payer + ".",
		},
		Action: "/gestion/paiements/" + id.String() + "/rejeter", Field: confirmField,
		Cancel: "/gestion/paiements/" + id.String()}
	if len(numbers) > 0 {
		p.Lines = append(p.Lines, "Le paiement sera rejeté et ses factures ("+strings.Join(numbers, ", ")+") seront de nouveau à régler : le redevable le verra sur le portail. "+told)
	} else {
		p.Lines = append(p.Lines, "Le paiement sera rejeté. "+told)
	}
	p.Lines = append(p.Lines, kept...)
	p.Lines = append(p.Lines, "La décision est notée dans l'historique du paiement et le journal.")
	if r.PostForm.Get("retour") == "liste" {
		p.Hidden = map[string]string{"retour": "liste"}
		p.Cancel = "/gestion/paiements/a-confirmer"
	}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffConfirm, p)
}

// askRejectDeclared is the confirmation of « Refuser : règlement non
// reçu » on an invoice its payer declared paid.
func (s *BackOffice) askRejectDeclared(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOffice().StaffInvoice(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	told := "Le redevable n'a pas d'adresse de messagerie : il faudra le prévenir par un autre moyen."
	if d.Payer.Email != "" {
		told = "Le redevable en est informé par un courriel envoyé à " + d.Payer.Email + "."
	}
	p := &staffConfirmPage{Base: kit.Base{Title: "Refuser la déclaration de la facture " + d.Invoice.Number + " ?", Menu: menuStaffPayments},
		Lines: []string{
			"Vous indiquez que le service n'a pas reçu le règlement de la facture " + d.Invoice.Number + " (" + domain.FormatEuros(d.Invoice.Amount) + ") que " + d.Payer.Name + " a déclarée réglée.",
			"La facture sera de nouveau à régler. " + told,
		},
		Action: "/gestion/factures-declarees/" + id.String() + "/rejeter", Field: confirmField,
		Cancel: "/gestion/factures-declarees"}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffConfirm, p)
}
