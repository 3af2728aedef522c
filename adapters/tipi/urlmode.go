package tipi

import (
	"net/url"

	"github.com/portail-factures/portail/ports"
)

// startURL builds the legacy URL mode's payment page address: every
// field in the query string, the result to come back to urlcl, which is
// the portal's notification path (docs/payfip.md §2.1). The mode has no
// separate browser return URL and no operation id.
func (g *Gateway) startURL(f request) ports.Checkout {
	q := url.Values{}
	q.Set("numcli", f.Numcli)
	q.Set("exer", f.Exer)
	q.Set("refdet", f.Refdet)
	if f.Objet != "" {
		q.Set("objet", f.Objet)
	}
	q.Set("montant", f.Montant)
	q.Set("mel", f.Mel)
	notify, _ := g.callbacks(f)
	q.Set("urlcl", notify)
	q.Set("saisie", g.saisie[f.Saisie])
	return ports.Checkout{RedirectURL: g.tipiURL + "?" + q.Encode()}
}
