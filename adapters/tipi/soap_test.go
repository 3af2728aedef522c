package tipi

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.golden, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got))
}

// capture is a SOAP server that records the requests and gives one
// fixed answer.
type capture struct {
	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	status   int
	response string
}

func newCapture(t *testing.T, status int, response string) (*capture, *httptest.Server) {
	c := &capture{status: status, response: response}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, body)
		c.headers = append(c.headers, r.Header.Clone())
		c.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(c.status)
		_, _ = io.WriteString(w, c.response)
	}))
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *capture) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.bodies)
}

func mustGateway(t *testing.T, cfg Config) *Gateway {
	t.Helper()
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://factures.exemple.fr"
	}
	g, err := New(cfg)
	require.NoError(t, err)
	return g
}

func paymentRequest() ports.PaymentRequest {
	return ports.PaymentRequest{
		Numcli: "006270", Saisie: domain.SaisieTest, Refdet: "ABCDEF123456", Year: 2024,
		Amount: decimal.RequireFromString("243.11"), Email: "o'brien&fils@exemple.fr",
		Object: `Facture n°42 <Eau & "assainissement"> l'été – Noël`,
	}
}

func TestEnvelopeEscapesEveryText(t *testing.T) {
	body, err := marshalRequest(creerPaiementSecurise{Arg0: creerArg{
		Exer: "2024", Mel: "o'brien&fils@exemple.fr", Montant: "24311", Numcli: "006270",
		Objet: `<Eau & "assainissement"> l'été – Noël`, Refdet: "ABCDEF123456", Saisie: "T",
		URLNotif: "https://factures.exemple.fr/paiement/notification?a=1&b=2", URLRedirect: "https://factures.exemple.fr/paiement/retour",
	}})
	require.NoError(t, err)
	golden(t, "creer_escaped", body)
	// What was escaped reads back as it was written.
	root, err := parseXMLTree(body)
	require.NoError(t, err)
	arg := root.find("arg0")
	require.NotNil(t, arg)
	assert.Equal(t, `<Eau & "assainissement"> l'été – Noël`, arg.child("objet").text)
	assert.Equal(t, "o'brien&fils@exemple.fr", arg.child("mel").text)
}

func TestStartSendsTheCreationEnvelope(t *testing.T) {
	c, srv := newCapture(t, http.StatusOK, answerCreate)
	g := mustGateway(t, Config{SOAPURL: srv.URL + "/tpa/services/securite"})

	co, err := g.Start(context.Background(), paymentRequest())
	require.NoError(t, err)

	assert.Equal(t, ports.Checkout{OperationID: "cc0cb210-1cd4-11ea-8cca-0213ad91a103",
		RedirectURL: DefaultPageURL + "?idop=cc0cb210-1cd4-11ea-8cca-0213ad91a103"}, co)
	require.Equal(t, 1, c.calls())
	golden(t, "creer", c.bodies[0])
	assert.Equal(t, "text/xml; charset=utf-8", c.headers[0].Get("Content-Type"))
	assert.Equal(t, `""`, c.headers[0].Get("SOAPAction"))
}

func TestStartOmitsAnEmptyObjet(t *testing.T) {
	c, srv := newCapture(t, http.StatusOK, answerCreate)
	g := mustGateway(t, Config{SOAPURL: srv.URL})
	r := paymentRequest()
	r.Object, r.Email, r.Saisie = "€ & €", "payeur@exemple.fr", domain.SaisieProduction

	_, err := g.Start(context.Background(), r)
	require.NoError(t, err)
	golden(t, "creer_sans_objet", c.bodies[0])
}

func TestStatusSendsIdOpWithACapitalO(t *testing.T) {
	c, srv := newCapture(t, http.StatusOK, answerPaid)
	g := mustGateway(t, Config{SOAPURL: srv.URL})

	_, err := g.Status(context.Background(), domain.Payment{OperationID: "cc0cb210-1cd4-11ea-8cca-0213ad91a103"})
	require.NoError(t, err)
	golden(t, "recuperer", c.bodies[0])
}

func TestParseAnswers(t *testing.T) {
	t.Run("creation", func(t *testing.T) {
		ans, f, err := parseSOAPResponse([]byte(answerCreate))
		require.NoError(t, err)
		assert.Nil(t, f)
		assert.Equal(t, "creerPaiementSecuriseResponse", ans.Element)
		assert.Equal(t, "cc0cb210-1cd4-11ea-8cca-0213ad91a103", ans.Fields["idop"])
	})
	t.Run("detail with idop in lower case", func(t *testing.T) {
		ans, f, err := parseSOAPResponse([]byte(answerPaid))
		require.NoError(t, err)
		assert.Nil(t, f)
		assert.Equal(t, "cc0cb210-1cd4-11ea-8cca-0213ad91a103", ans.Fields["idop"])
		assert.Equal(t, "P", ans.Fields["resultrans"])
		assert.Equal(t, "006270", ans.Fields["numcli"], "leading zeros kept")
	})
	t.Run("names in any case and any prefix", func(t *testing.T) {
		body := `<ENV:ENVELOPE xmlns:ENV="x"><env:body xmlns:env="y"><a:CREERPAIEMENTSECURISERESPONSE xmlns:a="z"><RETURN><IDOP> 42 </IDOP></RETURN></a:CREERPAIEMENTSECURISERESPONSE></env:body></ENV:ENVELOPE>`
		ans, _, err := parseSOAPResponse([]byte(body))
		require.NoError(t, err)
		assert.Equal(t, "42", ans.Fields["idop"])
	})
	t.Run("ISO-8859-1", func(t *testing.T) {
		body := `<?xml version="1.0" encoding="ISO-8859-1"?><Envelope><Body><r><return><objet>f` + "\xe9" + `e</objet></return></r></Body></Envelope>`
		ans, _, err := parseSOAPResponse([]byte(body))
		require.NoError(t, err)
		assert.Equal(t, "fée", ans.Fields["objet"])
	})
}

func TestParseFaults(t *testing.T) {
	for _, kind := range []string{FaultFunctional, FaultMalfunction, FaultUnavailability, FaultProtocol} {
		t.Run(kind, func(t *testing.T) {
			_, f, err := parseSOAPResponse([]byte(fault(kind, "P5", "Résultat inconnu &amp; en attente")))
			require.NoError(t, err)
			require.NotNil(t, f)
			assert.Equal(t, &Fault{Kind: kind, Code: "P5", Descriptif: "Résultat inconnu & en attente",
				Libelle: "Résultat inconnu & en attente", Message: "Résultat inconnu & en attente", Severite: "2",
				FaultCode: "S:Server", FaultString: "fr.gouv.finances.cp.tpa.webservice.exceptions." + kind}, f)
			assert.Equal(t, kind == FaultFunctional, f.Functional())
		})
	}
	t.Run("kind known only from the faultstring", func(t *testing.T) {
		body := soapOpen + `<S:Fault><faultcode>S:Server</faultcode><faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur</faultstring><detail><erreur><code>R3</code></erreur></detail></S:Fault>` + soapClose
		_, f, err := parseSOAPResponse([]byte(body))
		require.NoError(t, err)
		assert.Equal(t, FaultFunctional, f.Kind)
		assert.Equal(t, "R3", f.Code)
	})
	t.Run("detail in lower case, nested", func(t *testing.T) {
		body := soapOpen + `<S:Fault><detail><wrap><fonctionnelleerreur><CODE>A2</CODE><Descriptif>mel</Descriptif></fonctionnelleerreur></wrap></detail></S:Fault>` + soapClose
		_, f, err := parseSOAPResponse([]byte(body))
		require.NoError(t, err)
		assert.Equal(t, FaultFunctional, f.Kind)
		assert.Equal(t, "A2", f.Code)
		assert.Equal(t, "mel", f.Descriptif)
	})
	t.Run("bare fault", func(t *testing.T) {
		_, f, err := parseSOAPResponse([]byte(soapOpen + `<S:Fault><faultstring>NullPointerException</faultstring></S:Fault>` + soapClose))
		require.NoError(t, err)
		assert.Equal(t, "", f.Kind)
		assert.False(t, f.Functional())
	})
}

func TestParseRefusesWhatIsNotAnAnswer(t *testing.T) {
	for name, body := range map[string]string{
		"empty":            "",
		"HTML error page":  "<html><body><h1>502 Bad Gateway</h1></body></html>",
		"plain text":       "Service Unavailable",
		"truncated":        answerCreate[:len(answerCreate)-20],
		"no body":          `<S:Envelope xmlns:S="x"></S:Envelope>`,
		"no return":        soapOpen + `<ns2:creerPaiementSecuriseResponse xmlns:ns2="x"/>` + soapClose,
		"two roots":        `<a/><b/>`,
		"text outside":     `<a/>hello`,
		"unknown charset":  `<?xml version="1.0" encoding="EBCDIC"?><a/>`,
		"undefined entity": soapOpen + `<r><return><idOp>&foo;</idOp></return></r>` + soapClose,
	} {
		t.Run(name, func(t *testing.T) {
			_, f, err := parseSOAPResponse([]byte(body))
			assert.Error(t, err)
			assert.Nil(t, f)
		})
	}
}
