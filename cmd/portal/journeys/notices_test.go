//go:build browser

package journeys

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestReminderUnsubscribe follows the demo's start-up reminder (Camille
// Martin's invoice due in three days) from the mailbox to its « Ne plus
// recevoir ces courriels » link: the page says what the link stops and
// changes nothing until its button is pressed; afterwards « Mes
// informations » shows the reminders off and the notices still on.
func TestReminderUnsubscribe(t *testing.T) {
	c := newCitizen(t)
	// The reminders job runs at start; in the demo its mail is in the
	// mailbox when the job ends.
	c.portal.awaitLog(t, "job=reminders", `msg="job done"`)

	c.open("/_dev/mail")
	c.see("À :", demoEmail, "Rappel : une facture arrive à échéance", "Ne plus recevoir ces courriels (rappels)")
	// The demo's start-up also announces a new invoice, with its own link:
	// take the reminder's.
	var link string
	var ok bool
	c.run("read the reminder's unsubscribe link", chromedp.AttributeValue(
		`(//article[contains(., "Rappel : une facture arrive à échéance")]//a[contains(@href, "/desabonnement/")])[1]`,
		"href", &link, &ok, chromedp.BySearch))
	if !ok {
		t.Fatal("the reminder has no unsubscribe link")
	}
	path := strings.TrimPrefix(link, c.base)
	if path == link || !strings.HasPrefix(path, "/desabonnement/") {
		t.Fatalf("the reminder's link %q is not one of the portal's unsubscribe links", link)
	}

	c.open(path)
	c.see("Ne plus recevoir ces courriels", "les rappels avant et après l'échéance",
		"Les courriels liés à la sécurité de votre compte")
	c.audit("la page « Ne plus recevoir ces courriels »")
	c.viewport(320, 640)
	c.audit("la page « Ne plus recevoir ces courriels » à 320 px")
	c.viewport(1280, 800)
	c.click("Ne plus recevoir ces courriels")
	c.see("C'est fait : vous ne recevrez plus les rappels")
	c.audit("la confirmation du désabonnement")

	// Opened again (a mail scanner, or the payer twice): nothing to press.
	c.open(path)
	c.see("Vous ne recevez déjà plus les rappels")

	c.login(demoEmail, demoPassword, false)
	c.open("/mes-informations")
	var reminders, notices bool
	c.run("read the mail choices",
		chromedp.Evaluate(`document.getElementById("rappels").checked`, &reminders),
		chromedp.Evaluate(`document.getElementById("avis").checked`, &notices))
	if reminders || !notices {
		t.Fatalf("« Mes informations »: reminders checked %v, notices checked %v; want false, true", reminders, notices)
	}
}
