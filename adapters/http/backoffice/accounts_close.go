package backoffice

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// « Clore le compte » on a payer's page (issue 16, item 7): asked twice
// (confirm.go), for a gestionnaire or an administrateur.

const flashAccountClosed = "compte-clos"

// closeAccount asks for the confirmation, then closes the payer's account.
func (s *BackOffice) closeAccount(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if !confirmed(r) {
		d, err := s.portal.BackOffice().PayerDetail(r.Context(), u.actor, id)
		if err != nil {
			return err
		}
		if d.Status == ports.AccountNone {
			return s.renderPayer(w, r, u, http.StatusConflict, ports.ErrNoAccountToClose)
		}
		b, err := s.portal.BackOfficeAdmin().Settings(r.Context(), u.actor)
		if err != nil {
			return err
		}
		who := d.Payer.Name + " (" + d.Payer.ExternalRef + ")"
		p := &staffConfirmPage{Base: kit.Base{Title: "Clore le compte de " + who + " ?", Menu: menuStaffPayers},
			Lines: []string{
				"Le compte de " + who + " sur le portail sera clos : il ne permettra plus de se connecter et ses sessions en cours prendront fin.",
				"Le redevable en est informé par un courriel envoyé à " + d.Account.Email + ".",
				"Ses factures et ses paiements restent conservés. Les données du compte (adresse de connexion, mot de passe, contenu des messages, adresses et adresse IP du journal) seront effacées " + ports.RetentionWords(b.RetentionMonths) + " après la clôture.",
				"Le redevable pourra activer un nouveau compte avec « J'active mon compte ».",
			},
			Action: "/gestion/redevables/" + id.String() + "/clore", Field: confirmField,
			Cancel: "/gestion/redevables/" + id.String(), Button: "Clore le compte",
		}
		return s.renderStaff(w, r, u, http.StatusOK, pageStaffConfirm, p)
	}
	err = s.portal.BackOffice().CloseAccount(r.Context(), u.actor, id)
	switch domain.ErrorCode(err) {
	case "":
		return staffRedirect(w, r, "/gestion/redevables/"+id.String(), flashAccountClosed)
	case domain.Conflict:
		return s.renderPayer(w, r, u, http.StatusConflict, err)
	}
	return err
}
