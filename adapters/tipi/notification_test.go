package tipi

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestReadNotificationWebService(t *testing.T) {
	g := mustGateway(t, Config{})
	for _, name := range []string{"idop", "idOp", "IDOP", "IdOp"} {
		t.Run(name, func(t *testing.T) {
			n, err := g.ReadNotification(context.Background(), url.Values{name: {opID}})
			require.NoError(t, err)
			assert.Equal(t, ports.Notification{OperationID: opID}, n)
		})
	}
	t.Run("result fields are ignored", func(t *testing.T) {
		n, err := g.ReadNotification(context.Background(), url.Values{
			"idop": {opID}, "resultrans": {"P"}, "refdet": {"ABCDEF123456"}, "montant": {"1"}, "numauto": {"X"},
		})
		require.NoError(t, err)
		assert.Equal(t, ports.Notification{OperationID: opID}, n)
	})
	t.Run("the same id in query and body", func(t *testing.T) {
		n, err := g.ReadNotification(context.Background(), url.Values{"idop": {opID}, "idOp": {opID}})
		require.NoError(t, err)
		assert.Equal(t, opID, n.OperationID)
	})
	for name, params := range map[string]url.Values{
		"absent":          {},
		"only a result":   {"resultrans": {"P"}, "refdet": {"ABCDEF123456"}},
		"empty":           {"idop": {""}},
		"blank":           {"idop": {"   "}},
		"too long":        {"idop": {strings.Repeat("a", 65)}},
		"a path":          {"idop": {"../../admin"}},
		"a space inside":  {"idop": {"abc def"}},
		"markup":          {"idop": {"<script>"}},
		"non-ASCII":       {"idop": {"é"}},
		"two different":   {"idop": {opID}, "IDOP": {"00000000-0000-0000-0000-000000000000"}},
		"different twice": {"idop": {"a", "b"}},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			_, err := g.ReadNotification(context.Background(), params)
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%v", err)
		})
	}
	t.Run("64 characters are enough", func(t *testing.T) {
		_, err := g.ReadNotification(context.Background(), url.Values{"idop": {strings.Repeat("a", 64)}})
		assert.NoError(t, err)
	})
}

// callback is what TIPI posts to urlcl after a payment (docs/payfip.md §2.3).
func callback() url.Values {
	return url.Values{
		"numcli": {"006270"}, "exer": {"2024"}, "refdet": {"ABCDEF123456"}, "objet": {"Facture 42"},
		"montant": {"24311"}, "mel": {"payeur@exemple.fr"}, "saisie": {"T"},
		"resultrans": {"P"}, "numauto": {"00000001"}, "dattrans": {"04052021"}, "heurtrans": {"1325"},
	}
}

func upper(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[strings.ToUpper(k)] = vs
	}
	return out
}

func TestReadNotificationURLMode(t *testing.T) {
	g := mustGateway(t, Config{Mode: ModeTIPI})
	for name, params := range map[string]url.Values{"lower case": callback(), "upper case": upper(callback())} {
		t.Run(name, func(t *testing.T) {
			n, err := g.ReadNotification(context.Background(), params)
			require.NoError(t, err)
			assert.Empty(t, n.OperationID)
			assert.Equal(t, "ABCDEF123456", n.Refdet)
			require.NotNil(t, n.Report)
			r := *n.Report
			assert.Equal(t, domain.OutcomePaid, r.Outcome)
			assert.Equal(t, domain.MethodCard, r.Method)
			assert.Equal(t, "00000001", r.Authorization)
			assert.Equal(t, "ABCDEF123456", r.Refdet)
			assert.Equal(t, "006270", r.Numcli)
			assert.True(t, decimal.RequireFromString("243.11").Equal(r.Amount))
			assert.True(t, time.Date(2021, 5, 4, 13, 25, 0, 0, domain.Paris).Equal(r.TransactionAt))
			assert.False(t, r.Confirmed, "anyone can post this callback")
			assert.Equal(t, "P", r.Code)
		})
	}
	t.Run("a refusal without numauto", func(t *testing.T) {
		p := callback()
		p.Set("resultrans", "R")
		p.Del("numauto")
		n, err := g.ReadNotification(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, domain.OutcomeRefused, n.Report.Outcome)
		assert.Empty(t, n.Report.Authorization)
	})
	t.Run("the browser coming back names the attempt only", func(t *testing.T) {
		n, err := g.ReadNotification(context.Background(), url.Values{"refdet": {"ABCDEF123456"}})
		require.NoError(t, err)
		assert.Equal(t, ports.Notification{Refdet: "ABCDEF123456"}, n)
	})
	t.Run("an idop is not a URL-mode notification", func(t *testing.T) {
		_, err := g.ReadNotification(context.Background(), url.Values{"idop": {opID}})
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	})
	refuse := map[string]func(url.Values){
		"no refdet":          func(p url.Values) { p.Del("refdet") },
		"a malformed refdet": func(p url.Values) { p.Set("refdet", "AB-CD") },
		"no montant":         func(p url.Values) { p.Del("montant") },
		"a zero montant":     func(p url.Values) { p.Set("montant", "0") },
		"a decimal montant":  func(p url.Values) { p.Set("montant", "243.11") },
		"no numcli":          func(p url.Values) { p.Del("numcli") },
		"an unknown result":  func(p url.Values) { p.Set("resultrans", "X") },
		"a malformed date":   func(p url.Values) { p.Set("dattrans", "2021-05-04") },
		"two refdets":        func(p url.Values) { p["REFDET"] = []string{"ZZZZZZ999999"} },
	}
	for name, change := range refuse {
		t.Run("refuses "+name, func(t *testing.T) {
			p := callback()
			change(p)
			_, err := g.ReadNotification(context.Background(), p)
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%v", err)
		})
	}
}
