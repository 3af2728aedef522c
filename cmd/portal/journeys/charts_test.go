//go:build browser

package journeys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// TestDashboardCharts: the reader (« lecture ») opens the dashboard of the
// demo, which `portal serve` gives two years of history
// (demo.SeedHistory): the three charts are there as images named by their
// heading, each followed by its table; the tables, opened, give the
// current month's amounts by channel. axe-core audits the page with its
// tables open, at full width, at 360 px and at 320 px, and nothing
// scrolls sideways.
func TestDashboardCharts(t *testing.T) {
	r := newCitizen(t)
	r.staffLogin(demo.ReaderEmail, demo.ReaderPassword)
	r.see("En images", "Montants encaissés par mois", "Restes à recouvrer par ancienneté", "Adhésion au portail",
		"En ligne", "Au guichet", "Déclarées réglées", "Même mois un an plus tôt", "Comptes activés ÷ redevables")

	var images int
	r.run("count the charts", chromedp.Evaluate(`[...document.querySelectorAll('svg[role="img"]')].filter(s => s.getAttribute("aria-labelledby").split(" ").every(id => document.getElementById(id))).length`, &images))
	if images != 3 {
		t.Fatalf("%d charts named by their heading, want 3", images)
	}
	var opened int
	r.run("open the tables", chromedp.Evaluate(`(() => { const d = [...document.querySelectorAll("details.donnees")]; d.forEach(x => x.querySelector("summary").click()); return d.filter(x => x.open).length })()`, &opened))
	if opened != 3 {
		t.Fatalf("%d tables opened, want 3", opened)
	}
	// The current month of demo.SeedHistory: two invoices paid online
	// (35,00 and 88,07) and one declared (54,21), in the month of the
	// portal's clock (this machine's). The counter's and the total depend
	// on the day: the manual's demo pays an invoice twelve days ago.
	month := frenchMonth(time.Now())
	var row string
	r.run("read the current month", chromedp.Evaluate(fmt.Sprintf(`(() => { const th = [...document.querySelectorAll("#tableau-encaissements ~ tbody th, table tbody th")].find(x => x.textContent === %q); return th ? th.parentElement.innerText : "" })()`, month), &row))
	for _, want := range []string{"123,07", "54,21"} {
		if !strings.Contains(row, want) {
			t.Errorf("the row of %s reads %q, without %s", month, row, want)
		}
	}
	r.see("Restes à recouvrer par ancienneté au", "1 à 30 jours de retard", "Part réglée en ligne")
	r.audit("le tableau de bord et ses graphiques")
	r.run("a 360 px screen", emulation.SetDeviceMetricsOverride(360, 740, 1, true))
	r.audit("le tableau de bord et ses graphiques à 360 px")
	r.auditNarrow("le tableau de bord et ses graphiques")
}

// frenchMonth names t's Paris month as the charts' tables do: "novembre 2026".
func frenchMonth(t time.Time) string {
	names := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	d := domain.DateOf(t, domain.Paris)
	return fmt.Sprintf("%s %d", names[d.Month-1], d.Year)
}
