package tipi

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestURLModeStart(t *testing.T) {
	g := mustGateway(t, Config{Mode: ModeTIPI, PublicURL: "https://factures.exemple.fr/"})
	co, err := g.Start(context.Background(), paymentRequest())
	require.NoError(t, err)
	assert.Empty(t, co.OperationID, "the URL mode has no operation id")

	u, err := url.Parse(co.RedirectURL)
	require.NoError(t, err)
	assert.Equal(t, "https", u.Scheme)
	assert.Equal(t, "www.payfip.gouv.fr", u.Host)
	assert.Equal(t, "/tpa/paiement.web", u.Path)
	assert.Equal(t, url.Values{
		"numcli": {"006270"}, "exer": {"2024"}, "refdet": {"ABCDEF123456"},
		"objet": {"Facture no42 Eau assainissement l ete Noel"}, "montant": {"24311"},
		"mel": {"o'brien&fils@exemple.fr"}, "urlcl": {"https://factures.exemple.fr" + ports.PathPaymentNotify},
		"saisie": {"T"},
	}, u.Query())
	assert.Equal(t, "https://www.payfip.gouv.fr/tpa/paiement.web?exer=2024&mel=o%27brien%26fils%40exemple.fr&montant=24311&numcli=006270&objet=Facture+no42+Eau+assainissement+l+ete+Noel&refdet=ABCDEF123456&saisie=T&urlcl=https%3A%2F%2Ffactures.exemple.fr%2Fpaiement%2Fnotification", co.RedirectURL)
}

func TestURLModeSaisieLetters(t *testing.T) {
	saisie := func(g *Gateway, s domain.Saisie, object string) url.Values {
		r := paymentRequest()
		r.Saisie, r.Object = s, object
		co, err := g.Start(context.Background(), r)
		require.NoError(t, err)
		u, err := url.Parse(co.RedirectURL)
		require.NoError(t, err)
		return u.Query()
	}
	def := mustGateway(t, Config{Mode: ModeTIPI})
	assert.Equal(t, "T", saisie(def, domain.SaisieTest, "").Get("saisie"))
	assert.Equal(t, "X", saisie(def, domain.SaisieActivation, "").Get("saisie"))
	assert.Equal(t, "A", saisie(def, domain.SaisieProduction, "").Get("saisie"), "EO 1.82's production letter by default")
	assert.NotContains(t, saisie(def, domain.SaisieTest, "").Encode(), "objet", "no label, no objet")

	m := mustGateway(t, Config{Mode: ModeTIPI, URLSaisie: map[domain.Saisie]string{domain.SaisieProduction: "M"}})
	assert.Equal(t, "M", saisie(m, domain.SaisieProduction, "x").Get("saisie"))
	assert.Equal(t, "T", saisie(m, domain.SaisieTest, "x").Get("saisie"), "the other letters keep their default")
}

func TestURLModeHasNoStatusQuery(t *testing.T) {
	g := mustGateway(t, Config{Mode: ModeTIPI})
	_, err := g.Status(context.Background(), domain.Payment{OperationID: opID, Refdet: "ABCDEF123456"})
	assert.ErrorIs(t, err, ports.ErrNoStatusQuery)
}

func TestCallbacksGoToTheBillersSite(t *testing.T) {
	g := mustGateway(t, Config{Mode: ModeTIPI, PublicURL: "https://factures.exemple.fr/"})
	r := paymentRequest()
	r.SiteURL = "https://factures.autreville.fr"
	co, err := g.Start(context.Background(), r)
	require.NoError(t, err)
	u, err := url.Parse(co.RedirectURL)
	require.NoError(t, err)
	assert.Equal(t, "https://factures.autreville.fr"+ports.PathPaymentNotify, u.Query().Get("urlcl"))

	r.SiteURL = "factures.autreville.fr"
	_, err = g.Start(context.Background(), r)
	assert.Equal(t, domain.Internal, domain.ErrorCode(err), "a site URL without scheme is a wiring mistake")
}
