package backoffice

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// « Clés d'API » (/gestion/parametres/cles-api), reached from
// « Paramètres »: an administrator lists the keys of the biller's billing
// software, creates one (its secret is shown once, on the page that
// answers the creation, and never again) and revokes one after a
// confirmation page. Other roles get a 403 and no link. The use cases
// are ports' BackOfficeAdmin (backoffice_admin_apikeys.go).

const (
	pageStaffAPIKeys        = "apikeys"
	pageStaffAPIKeyMade     = "apikey_created"
	apiKeysPath             = "/gestion/parametres/cles-api"
	apiKeyRevokeSegment     = "revoquer"
	flashAPIKeyRevoked      = "cle-revoquee"
	apiKeyFormPrefix        = "cle-"
	apiKeyNameField         = "name"
	apiKeyNonceField        = "nonce"
	apiKeyRevokeQuestion    = "Révoquer la clé d'API « %s » (%s…) ?"
	apiKeyRevokeConsequence = "Le logiciel qui l'utilise ne pourra plus appeler l'API du portail : ses requêtes seront refusées dès maintenant. La révocation est définitive et notée dans le journal ; pour rétablir l'accès, créez une nouvelle clé."
)

// staffAPIKeys serves a page of « Clés d'API », reserved to the role
// "administrateur": others get a 403 (the use cases check again).
func (s *BackOffice) staffAPIKeys(h kit.HandlerFunc) http.Handler {
	return s.staffRead(func(w http.ResponseWriter, r *http.Request) error {
		if !staffFrom(r).actor.Role.CanManageAPIKeys() {
			return domain.ErrAPIKeysAdminOnly
		}
		return h(w, r)
	})
}

type staffAPIKeysPage struct {
	kit.Base
	Keys []domain.APIKey
	Form *kit.Form
	// Nonce is the creation form's one-time nonce (hidden field), which
	// makes a second post of the same form create nothing.
	Nonce string
}

func newAPIKeyForm() *kit.Form {
	return &kit.Form{Prefix: apiKeyFormPrefix, Values: map[string]string{apiKeyNameField: ""}, Errors: map[string]string{}}
}

// renderAPIKeys shows the list and the creation form with nonce, or a
// fresh nonce when it is empty.
func (s *BackOffice) renderAPIKeys(w http.ResponseWriter, r *http.Request, u *staffUser, st int, f *kit.Form, nonce string) error {
	keys, err := s.portal.BackOfficeAdmin().APIKeys(r.Context(), u.actor)
	if err != nil {
		return err
	}
	if nonce == "" {
		if nonce, err = s.portal.BackOfficeAdmin().APIKeyFormNonce(); err != nil {
			return err
		}
	}
	p := &staffAPIKeysPage{Base: kit.Base{Title: "Clés d'API", Menu: menuStaffSettings,
		Errors: kit.ErrorSummary([]string{apiKeyNameField}, f)}, Keys: keys, Form: f, Nonce: nonce}
	return s.renderStaff(w, r, u, st, pageStaffAPIKeys, p)
}

func (s *BackOffice) showAPIKeys(w http.ResponseWriter, r *http.Request) error {
	return s.renderAPIKeys(w, r, staffFrom(r), http.StatusOK, newAPIKeyForm(), "")
}

// staffAPIKeyMadePage shows a new key's secret, once; or, when the same
// form was posted again, says that the key exists and that its secret
// cannot be shown again (Secret empty).
type staffAPIKeyMadePage struct {
	kit.Base
	Key    domain.APIKey
	Secret string
}

// createAPIKey is « Créer la clé ». The answer is the page with the
// secret, not a redirect: the secret lives in no address, no session
// and no store, and the page is never cached (no-store, no referrer).
// Reloading it posts the form again, with the same nonce: that makes no
// second key and answers « Clé d'API déjà créée » (409), without the
// secret, which nothing kept.
func (s *BackOffice) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := kit.NewForm(r, apiKeyFormPrefix, apiKeyNameField)
	nonce := r.PostForm.Get(apiKeyNonceField)
	key, secret, err := s.portal.BackOfficeAdmin().CreateAPIKey(r.Context(), u.actor, f.Values[apiKeyNameField], nonce)
	if errors.Is(err, domain.ErrAPIKeyFormExpired) {
		nonce = ""
	}
	if kit.FieldError(err) {
		f.Set(err)
		return s.renderAPIKeys(w, r, u, kit.Status(err), f, nonce)
	}
	st, title := http.StatusOK, "Clé d'API créée"
	if errors.Is(err, domain.ErrAPIKeyAlreadyCreated) {
		st, title, err = http.StatusConflict, "Clé d'API déjà créée", nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	kit.NoReferrer(w)
	p := &staffAPIKeyMadePage{Base: kit.Base{Title: title, Menu: menuStaffSettings}, Key: key, Secret: secret}
	return s.renderStaff(w, r, u, st, pageStaffAPIKeyMade, p)
}

// confirmRevokeAPIKey asks before « Révoquer ».
func (s *BackOffice) confirmRevokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	k, err := s.portal.BackOfficeAdmin().APIKey(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	if !k.Active() {
		return staffRedirect(w, r, apiKeysPath, flashAPIKeyRevoked)
	}
	p := &staffConfirmPage{Base: kit.Base{Title: "Révoquer une clé d'API", Menu: menuStaffSettings},
		Lines:  []string{fmt.Sprintf(apiKeyRevokeQuestion, k.Name, k.Hint), apiKeyRevokeConsequence},
		Action: apiKeysPath + "/" + k.ID.String() + "/" + apiKeyRevokeSegment, Field: confirmField,
		Button: "Révoquer la clé", Cancel: apiKeysPath}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffConfirm, p)
}

// revokeAPIKey is « Révoquer la clé », confirmed. A post without the
// confirmation field gets the confirmation page and changes nothing.
func (s *BackOffice) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	if !confirmed(r) {
		return s.confirmRevokeAPIKey(w, r)
	}
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.portal.BackOfficeAdmin().RevokeAPIKey(r.Context(), u.actor, id); err != nil {
		return err
	}
	return staffRedirect(w, r, apiKeysPath, flashAPIKeyRevoked)
}
