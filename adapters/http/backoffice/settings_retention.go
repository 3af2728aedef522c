package backoffice

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// The « Conservation des comptes clos » block of « Paramètres » (issue 16,
// item 7): how many months a closed account's personal data are kept.

// retentionForm writes the retention setting as the form shows it.
func retentionForm(f *kit.Form, months *int) {
	if months == nil {
		return
	}
	m := *months
	if m == 0 {
		m = domain.DefaultRetentionMonths
	}
	f.Values["retention_months"] = strconv.Itoa(m)
}

// retentionInput reads the retention setting; a form without the field
// keeps it.
func retentionInput(r *http.Request, f *kit.Form) *int {
	if _, ok := r.PostForm["retention_months"]; !ok {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Values["retention_months"]))
	if err != nil {
		f.Errors["retention_months"] = "Saisissez un nombre entier de mois."
		return nil
	}
	return &n
}
