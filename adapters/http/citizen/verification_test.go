package citizen_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// paidReceiptCode pays the water invoice and returns its receipt's code.
func paidReceiptCode(t *testing.T, e *webtest.Env) string {
	t.Helper()
	b := e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	b.Get(ports.PathPaymentReturn + "?idop=op-1")
	code := codeRe.FindString(b.Get(ports.PathReceipt(webtest.IDOf(webtest.Water))).Body)
	require.NotEmpty(t, code)
	return code
}

func TestVerificationShowsOnlyWhatItMay(t *testing.T) {
	e := full.New(t)
	code := paidReceiptCode(t, e)

	anyone := e.Browser()
	p := anyone.Get(ports.PathVerification)
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Vérifier un document", "Code de vérification")

	for _, typed := range []string{code, strings.ToLower(strings.ReplaceAll(code, "-", " "))} {
		p = anyone.Post(ports.PathVerification, url.Values{"code": {typed}})
		require.Equal(t, http.StatusOK, p.Status)
		webtest.Contains(t, p, "Document authentique", "Reçu de paiement", "Commune de Démoville", "243,11\u00a0€", code)
	}
	webtest.NotContains(t, p, webtest.Water, "op-1", "Eau et assainissement")

	p = anyone.Get(ports.PathVerification + "?code=" + url.QueryEscape(code))
	webtest.Contains(t, p, "Document authentique", "243,11\u00a0€")

	for _, typed := range []string{"KKKK-MMMM-NNNN", "pas un code", "", code[:13]} {
		p = anyone.Post(ports.PathVerification, url.Values{"code": {typed}})
		require.Equal(t, http.StatusOK, p.Status)
		webtest.Contains(t, p, "Aucun document ne correspond à ce code.")
		webtest.NotContains(t, p, "Document authentique", "243,11")
	}

	t.Run("a POST without the form token is refused", func(t *testing.T) {
		p := e.Browser().PostRaw(ports.PathVerification, url.Values{"code": {code}}, "Sec-Fetch-Site", "same-origin")
		assert.NotEqual(t, http.StatusOK, p.Status)
		webtest.NotContains(t, p, "243,11")
	})
}

func TestVerificationIsRateLimited(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.AuthPerIP = ports.Rate{Events: 3, Per: time.Hour} })
	b := e.Browser()
	for range 3 {
		require.Equal(t, http.StatusOK, b.Get(ports.PathVerification+"?code=KKKK-MMMM-NNNN").Status)
	}
	p := b.Get(ports.PathVerification + "?code=KKKK-MMMM-NNNN")
	assert.Equal(t, http.StatusTooManyRequests, p.Status)
	webtest.Contains(t, p, "Trop de demandes")
}
