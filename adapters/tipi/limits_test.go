package tipi

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestGatewayTellsItsPayFiPMode(t *testing.T) {
	assert.Equal(t, domain.PayFiPWebService, mustGateway(t, Config{}).PayFiPMode())
	assert.Equal(t, domain.PayFiPURL, mustGateway(t, Config{Mode: ModeTIPI}).PayFiPMode())
}

var soapObjet = regexp.MustCompile(`<objet>([^<]*)</objet>`)

func TestObjetLengthPerMode(t *testing.T) {
	long := strings.Repeat("abcdefghij", 15)

	c, srv := newCapture(t, 200, answerCreate)
	ws := mustGateway(t, Config{SOAPURL: srv.URL})
	r := paymentRequest()
	r.Object = long
	_, err := ws.Start(context.Background(), r)
	require.NoError(t, err)
	require.Equal(t, 1, c.calls())
	m := soapObjet.FindSubmatch(c.bodies[0])
	require.NotNil(t, m, "%s", c.bodies[0])
	assert.Len(t, string(m[1]), 100, "100 characters through the web service")

	tipi := mustGateway(t, Config{Mode: ModeTIPI})
	co, err := tipi.Start(context.Background(), r)
	require.NoError(t, err)
	u, err := url.Parse(co.RedirectURL)
	require.NoError(t, err)
	assert.Len(t, u.Query().Get("objet"), 99, "99 in the URL mode")
	assert.True(t, safeObjet(u.Query().Get("objet")))

	// A cut that ends on a space leaves none at the end.
	r.Object = strings.Repeat("a", 98) + " bcd"
	co, err = tipi.Start(context.Background(), r)
	require.NoError(t, err)
	u, _ = url.Parse(co.RedirectURL)
	assert.Equal(t, strings.Repeat("a", 98), u.Query().Get("objet"))
}

func TestStartKeepsPayFiPsAmountLimits(t *testing.T) {
	c, srv := newCapture(t, 200, answerCreate)
	start := func(mode Mode, amount string) error {
		g := mustGateway(t, Config{Mode: mode, SOAPURL: srv.URL})
		r := paymentRequest()
		r.Amount = decimal.RequireFromString(amount)
		_, err := g.Start(context.Background(), r)
		return err
	}
	for _, tt := range []struct {
		mode   Mode
		amount string
		ok     bool
	}{
		{ModeTIPI, "9999.99", true},
		{ModeTIPI, "10000.00", false},
		{ModeTIPI, "0.99", false},
		{ModeTIPI, "1.00", true},
		{ModePayFiP, "99999.99", true},
		{ModePayFiP, "100000.00", false},
		{ModePayFiP, "0.50", false},
	} {
		err := start(tt.mode, tt.amount)
		if tt.ok {
			assert.NoError(t, err, "%s %s", tt.mode, tt.amount)
		} else {
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%s %s: %v", tt.mode, tt.amount, err)
		}
	}
	assert.Equal(t, 1, c.calls(), "only the web-service amount within the limits reached the DGFiP")
}

func TestStartSendsAnASCIIMel(t *testing.T) {
	g := mustGateway(t, Config{Mode: ModeTIPI})
	r := paymentRequest()
	r.Email = "jean@démoville.fr"
	co, err := g.Start(context.Background(), r)
	require.NoError(t, err)
	u, _ := url.Parse(co.RedirectURL)
	assert.Equal(t, "jean@xn--dmoville-b1a.fr", u.Query().Get("mel"))

	r.Email = "jérôme@exemple.fr"
	_, err = g.Start(context.Background(), r)
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
}
