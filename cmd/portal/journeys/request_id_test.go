//go:build browser

package journeys

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/ports/demo"
)

// drawnID is the shape of a request id the portal draws.
var drawnID = regexp.MustCompile(`^[A-Z2-7]{16}$`)

// TestErrorPagesGiveACodeForSupport opens a page that does not exist, on
// the citizens' side and in the back office: each error page ends with
// « Si le problème persiste, communiquez ce code au service : … », the
// code is the request's id, and the portal's access-log line of that
// request carries it (what support searches for). Both pages are audited
// at the window's width and at 320 px, where the code must not overflow.
func TestErrorPagesGiveACodeForSupport(t *testing.T) {
	c := newCitizen(t)

	c.open("/nulle-part")
	c.see("Page introuvable", "Si le problème persiste, communiquez ce code au service :")
	id := c.requestCode()
	c.portal.awaitLog(t, "msg=request", "route=/ ", "status=404", "request_id="+id)
	c.auditNarrow("la page introuvable")

	c.staffLogin(demo.StaffEmail, demo.StaffPassword)
	c.open("/gestion/factures/pas-une-facture")
	c.see("Page introuvable", "Si le problème persiste, communiquez ce code au service :")
	staffID := c.requestCode()
	if staffID == id {
		t.Fatalf("two requests share the id %s", id)
	}
	c.portal.awaitLog(t, "msg=request", `route="GET /gestion/factures/{id}"`, "status=404", "request_id="+staffID)
	c.auditNarrow("la page introuvable de la gestion")
}

// requestCode reads the request's id shown on an error page.
func (c *citizen) requestCode() string {
	c.t.Helper()
	var id string
	c.run("read the code for support", chromedp.Text(".code-demande", &id, chromedp.ByQuery))
	if !drawnID.MatchString(id) {
		c.t.Fatalf("the code for support %q is not a request id", id)
	}
	return id
}
