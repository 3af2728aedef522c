package tipi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestNewDefaults(t *testing.T) {
	g, err := New(Config{PublicURL: "https://factures.exemple.fr/"})
	require.NoError(t, err)
	assert.Equal(t, ModePayFiP, g.Mode())
	assert.Equal(t, DefaultSOAPURL, g.soapURL)
	assert.Equal(t, DefaultPageURL, g.pageURL)
	assert.Equal(t, DefaultTipiURL, g.tipiURL)
	assert.Equal(t, 15*time.Second, g.timeout)
	assert.Equal(t, "https://factures.exemple.fr/paiement/notification", g.notifyURL)
	assert.Equal(t, "https://factures.exemple.fr/paiement/retour", g.returnURL)
	assert.Equal(t, map[domain.Saisie]string{"T": "T", "X": "X", "W": "A"}, g.saisie)
	assert.NotNil(t, g.client)
}

func TestNewRefuses(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no public URL":       {},
		"a relative URL":      {PublicURL: "/factures"},
		"another scheme":      {PublicURL: "ftp://factures.exemple.fr"},
		"an unknown mode":     {PublicURL: "https://p.fr", Mode: "sepa"},
		"a bad SOAP URL":      {PublicURL: "https://p.fr", SOAPURL: "payfip.gouv.fr"},
		"a page with a query": {PublicURL: "https://p.fr", PageURL: "https://payfip.gouv.fr/x?a=b"},
		"a negative timeout":  {PublicURL: "https://p.fr", Timeout: -time.Second},
		"a lower-case letter": {PublicURL: "https://p.fr", URLSaisie: map[domain.Saisie]string{domain.SaisieProduction: "a"}},
		"two letters":         {PublicURL: "https://p.fr", URLSaisie: map[domain.Saisie]string{domain.SaisieProduction: "AM"}},
		"an unknown saisie":   {PublicURL: "https://p.fr", URLSaisie: map[domain.Saisie]string{"P": "P"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			assert.Error(t, err)
		})
	}
}

func TestStartChecksBeforeCallingTheDGFiP(t *testing.T) {
	c, srv := newCapture(t, 200, answerCreate)
	tests := map[string]func(*ports.PaymentRequest){
		"numcli of 5 digits":   func(r *ports.PaymentRequest) { r.Numcli = "06270" },
		"numcli with a letter": func(r *ports.PaymentRequest) { r.Numcli = "00627O" },
		"unknown saisie":       func(r *ports.PaymentRequest) { r.Saisie = "A" },
		"no year":              func(r *ports.PaymentRequest) { r.Year = 0 },
		"a five-digit year":    func(r *ports.PaymentRequest) { r.Year = 10000 },
		"short refdet":         func(r *ports.PaymentRequest) { r.Refdet = "ABCD" },
		"refdet with a dash":   func(r *ports.PaymentRequest) { r.Refdet = "ABC-DEF-123" },
		"refdet of 31":         func(r *ports.PaymentRequest) { r.Refdet = "ABCDEFGHIJABCDEFGHIJABCDEFGHIJK" },
		"mel without @":        func(r *ports.PaymentRequest) { r.Email = "payeur.exemple.fr" },
		"mel with markup":      func(r *ports.PaymentRequest) { r.Email = "<a@b.fr>" },
		"zero amount":          func(r *ports.PaymentRequest) { r.Amount = decimal.Zero },
		"negative amount":      func(r *ports.PaymentRequest) { r.Amount = decimal.RequireFromString("-1") },
		"three decimals":       func(r *ports.PaymentRequest) { r.Amount = decimal.RequireFromString("1.005") },
	}
	for _, mode := range []Mode{ModePayFiP, ModeTIPI} {
		g := mustGateway(t, Config{Mode: mode, SOAPURL: srv.URL})
		for name, change := range tests {
			t.Run(string(mode)+" "+name, func(t *testing.T) {
				r := paymentRequest()
				change(&r)
				_, err := g.Start(context.Background(), r)
				assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%v", err)
			})
		}
	}
	assert.Zero(t, c.calls(), "nothing reached the DGFiP")
}

func TestStartRefusesAnUnusableIdOp(t *testing.T) {
	for name, id := range map[string]string{"empty": "", "markup": "<b>", "too long": strings.Repeat("a", 65)} {
		t.Run(name, func(t *testing.T) {
			body := soapOpen + `<ns2:creerPaiementSecuriseResponse xmlns:ns2="x"><return><idOp>` + id + `</idOp></return></ns2:creerPaiementSecuriseResponse>` + soapClose
			if name == "markup" {
				body = soapOpen + `<ns2:creerPaiementSecuriseResponse xmlns:ns2="x"><return><idOp>&lt;b&gt;</idOp></return></ns2:creerPaiementSecuriseResponse>` + soapClose
			}
			_, srv := newCapture(t, 200, body)
			g := mustGateway(t, Config{SOAPURL: srv.URL})
			_, err := g.Start(context.Background(), paymentRequest())
			assert.Equal(t, domain.Unavailable, domain.ErrorCode(err), "%v", err)
		})
	}
}

func TestStartFaults(t *testing.T) {
	_, srv := newCapture(t, 500, fault(FaultFunctional, "R3", "Le format du paramètre REFDET n'est pas conforme"))
	g := mustGateway(t, Config{SOAPURL: srv.URL})
	_, err := g.Start(context.Background(), paymentRequest())
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "R3")

	_, srv = newCapture(t, 500, fault(FaultUnavailability, "999", "Service fermé"))
	g = mustGateway(t, Config{SOAPURL: srv.URL})
	_, err = g.Start(context.Background(), paymentRequest())
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
}
