package backoffice_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// The dashboard's charts (issue 16, part 5) over the manual's demo: its
// invoices paid in June and November 2026 at the counter, the payments
// of 2025 (the year before), and one invoice added here, 45 days late.
func TestDashboardCharts(t *testing.T) {
	e := newEnv(t)
	late := domain.Invoice{ID: uuid.New(), BillerID: demo.BillerID, PayerID: e.demoPayer("DEMO-0002"), Number: "2026-099-000001",
		Object: "Location de salle", IssueDate: domain.Today(start).AddDays(-75), DueDate: domain.Today(start).AddDays(-45),
		Amount: dec("12.34"), State: domain.InvoiceUnpaid, CreatedAt: start, UpdatedAt: start}
	require.NoError(t, e.Store.SaveInvoice(context.Background(), late))

	p := e.Reader().Get("/gestion/")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Montants encaissés par mois", "Restes à recouvrer par ancienneté", "Adhésion au portail",
		`role="img" aria-labelledby="graphique-encaissements graphique-encaissements-aide"`)
	row := func(header string) string {
		t.Helper()
		// The first table's row of that header (the collected amounts').
		m := regexp.MustCompile(`<tr><th scope="row">` + regexp.QuoteMeta(header) + `</th>(.*?)</tr>`).FindStringSubmatch(p.Body)
		require.NotNil(t, m, "no row %q", header)
		return m[1]
	}
	cells := func(values ...string) string {
		out := ""
		for _, v := range values {
			out += `<td class="montant">` + v + `</td>`
		}
		return out
	}
	// Collected: online, counter, declared, total, a year before.
	assert.Equal(t, cells("0,00\u00a0€", "198,72\u00a0€", "0,00\u00a0€", "198,72\u00a0€", "0,00\u00a0€"), row("juin 2026"))
	assert.Equal(t, cells("0,00\u00a0€", "61,60\u00a0€", "0,00\u00a0€", "61,60\u00a0€", "0,00\u00a0€"), row("novembre 2026"))
	assert.Equal(t, cells("0,00\u00a0€", "0,00\u00a0€", "0,00\u00a0€", "0,00\u00a0€", "182,40\u00a0€"), row("février 2026"))
	assert.Equal(t, cells("0,00\u00a0€", "0,00\u00a0€", "0,00\u00a0€", "0,00\u00a0€", "176,25\u00a0€"), row("mai 2026"), "paid at the counter in May 2025")
	assert.Contains(t, p.Body, `<th scope="row">novembre 2025</th>`, "13 months: from November 2025")
	assert.NotContains(t, p.Body, `<th scope="row">octobre 2025</th>`)

	// Outstanding by age, on 26/11/2026.
	assert.Equal(t, cells("12,34\u00a0€", "1"), row("31 à 60 jours de retard"))
	assert.Equal(t, cells("0,00\u00a0€", "0"), row("1 à 30 jours de retard"))
	contains(t, p, "31 à 60 jours de retard : 12,34\u00a0€</text>")

	// Take-up in November 2026: the demo's two payers (created then),
	// Camille's account active; one invoice paid, at the counter.
	assert.Equal(t, cells("1", "2", "50,0\u00a0%", "0", "1", "0,0\u00a0%"), takeUpRow(t, p.Body, "novembre 2026"))
	assert.Equal(t, cells("0", "0", "0,0\u00a0%", "0", "1", "0,0\u00a0%"), takeUpRow(t, p.Body, "juin 2026"))
	assert.Equal(t, cells("0", "0", "0,0\u00a0%", "0", "0", "—"), takeUpRow(t, p.Body, "juillet 2026"), "no invoice paid: no share")
}

// takeUpRow is the cells of the take-up table's row of month.
func takeUpRow(t *testing.T, body, month string) string {
	t.Helper()
	i := regexp.MustCompile(`<caption id="tableau-adhesion">`).FindStringIndex(body)
	require.NotNil(t, i)
	m := regexp.MustCompile(`<tr><th scope="row">` + regexp.QuoteMeta(month) + `</th>(.*?)</tr>`).FindStringSubmatch(body[i[1]:])
	require.NotNil(t, m, "no take-up row %q", month)
	return m[1]
}
