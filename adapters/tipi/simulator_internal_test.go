package tipi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// simulated returns a gateway and a simulator on one test server.
func simulated(t *testing.T) (*Gateway, *httptest.Server) {
	t.Helper()
	sim := NewSimulator(SimulatorConfig{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	g, err := New(sim.GatewayConfig(srv.URL, ModePayFiP))
	require.NoError(t, err)
	return g, srv
}

// The gateway checks everything before calling, so these go through its
// SOAP path directly, as a request the checks let through by mistake
// would.
func TestSimulatorFaultsMapToDomainErrors(t *testing.T) {
	g, _ := simulated(t)
	good := request{Exer: "2024", Mel: "payeur@exemple.fr", Montant: "24311", Numcli: "006270", Refdet: "ABCDEF123456", Saisie: "T"}
	tests := []struct {
		name   string
		change func(*request)
		code   domain.Code
		fault  string
	}{
		{"refdet too short", func(r *request) { r.Refdet = "ABCD" }, domain.Invalid, "R3"},
		{"mel without @", func(r *request) { r.Mel = "payeur.exemple.fr" }, domain.Invalid, "A2"},
		{"no mel", func(r *request) { r.Mel = "" }, domain.Invalid, "A1"},
		{"numcli", func(r *request) { r.Numcli = "62" }, domain.Invalid, "T1"},
		{"saisie", func(r *request) { r.Saisie = "A" }, domain.Invalid, "S1"},
		{"amount under 1 euro", func(r *request) { r.Montant = "99" }, domain.Invalid, "M3"},
		{"objet outside the alphabet", func(r *request) { r.Objet = "l'été" }, domain.Invalid, "O1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.change(&r)
			_, err := g.startWS(context.Background(), r)
			require.Error(t, err)
			assert.Equal(t, tt.code, domain.ErrorCode(err), "%v", err)
			var f *Fault
			require.True(t, errors.As(err, &f))
			assert.Equal(t, tt.fault, f.Code)
			assert.Equal(t, FaultFunctional, f.Kind)
		})
	}
	co, err := g.startWS(context.Background(), good)
	require.NoError(t, err)
	assert.NotEmpty(t, co.OperationID)
}

// soapPost sends a raw envelope to the simulator and returns its answer.
func soapPost(t *testing.T, srv *httptest.Server, envelope string) (int, string) {
	t.Helper()
	resp, err := http.Post(srv.URL+DefaultSimulatorPath+"/tpa/services/securite", "text/xml", strings.NewReader(envelope))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestSimulatorIsStrictLikeAJAXBServer(t *testing.T) {
	g, srv := simulated(t)
	co, err := g.Start(context.Background(), paymentRequest())
	require.NoError(t, err)
	open := `<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:p="` + nsService + `"><s:Body>`
	closing := `</s:Body></s:Envelope>`

	_, body := soapPost(t, srv, open+`<p:recupererDetailPaiementSecurise><arg0><idOp>`+co.OperationID+`</idOp></arg0></p:recupererDetailPaiementSecurise>`+closing)
	assert.Contains(t, body, "<code>P5</code>", "the right spelling finds the operation")

	_, body = soapPost(t, srv, open+`<p:recupererDetailPaiementSecurise><arg0><idop>`+co.OperationID+`</idop></arg0></p:recupererDetailPaiementSecurise>`+closing)
	assert.Contains(t, body, "<code>P1</code>", "idop in lower case gets P1, as reported of the real service")

	status, body := soapPost(t, srv, `<s:Envelope xmlns:s="`+nsSOAP+`"><s:Body><recupererDetailPaiementSecurise><arg0><idOp>x</idOp></arg0></recupererDetailPaiementSecurise>`+closing)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Contains(t, body, FaultProtocol, "the operation must be in the service namespace")

	_, body = soapPost(t, srv, open+`<p:recupererDetailPaiementSecurise><p:arg0><idOp>`+co.OperationID+`</idOp></p:arg0></p:recupererDetailPaiementSecurise>`+closing)
	assert.Contains(t, body, "<code>P1</code>", "a qualified arg0 is not read")

	_, body = soapPost(t, srv, "not XML")
	assert.Contains(t, body, FaultProtocol)
	_, body = soapPost(t, srv, open+`<p:supprimerPaiement/>`+closing)
	assert.Contains(t, body, FaultProtocol)

	// What the simulator answers, the gateway reads.
	_, f, err := parseSOAPResponse([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, FaultProtocol, f.Kind)
	assert.Equal(t, "999", f.Code)
}

func TestSimulatorNotifiesOnlyAllowedHosts(t *testing.T) {
	sim := NewSimulator(SimulatorConfig{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)

	// A stranger's gateway whose notification and return URLs are
	// elsewhere: the demo must not post or redirect there.
	cfg := sim.GatewayConfig(srv.URL, ModePayFiP)
	cfg.PublicURL = "http://169.254.169.254"
	g, err := New(cfg)
	require.NoError(t, err)
	_, err = g.Start(context.Background(), paymentRequest())
	var f *Fault
	require.True(t, errors.As(err, &f), "%v", err)
	assert.Equal(t, "N1", f.Code)

	resp, err := http.Get(srv.URL + DefaultSimulatorPath + "/tpa/paiement.web?numcli=006270&exer=2024&refdet=ABCDEF123456&montant=100&mel=a%40b.fr&saisie=T&urlcl=http%3A%2F%2F10.0.0.1%2Fx")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// Configured hosts replace the default.
	sim = NewSimulator(SimulatorConfig{AllowedHosts: []string{"Factures.Exemple.fr"}})
	srv2 := httptest.NewServer(sim)
	t.Cleanup(srv2.Close)
	cfg = sim.GatewayConfig(srv2.URL, ModePayFiP)
	cfg.PublicURL = "https://factures.exemple.fr"
	g, err = New(cfg)
	require.NoError(t, err)
	_, err = g.Start(context.Background(), paymentRequest())
	assert.NoError(t, err)
	g, err = New(sim.GatewayConfig(srv2.URL, ModePayFiP))
	require.NoError(t, err)
	_, err = g.Start(context.Background(), paymentRequest())
	assert.Error(t, err, "the request's own host is no longer enough")
}
