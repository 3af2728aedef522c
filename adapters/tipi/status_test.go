package tipi

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

const opID = "cc0cb210-1cd4-11ea-8cca-0213ad91a103"

// statusFrom asks a gateway whose SOAP server answers status and body.
func statusFrom(t *testing.T, status int, body string) (domain.Report, error) {
	t.Helper()
	_, srv := newCapture(t, status, body)
	g := mustGateway(t, Config{SOAPURL: srv.URL})
	return g.Status(context.Background(), domain.Payment{OperationID: opID})
}

func TestStatusPaidByCard(t *testing.T) {
	r, err := statusFrom(t, http.StatusOK, answerPaid)
	require.NoError(t, err)
	assert.Equal(t, domain.OutcomePaid, r.Outcome)
	assert.Equal(t, domain.MethodCard, r.Method)
	assert.Equal(t, "112233445566-tip", r.Authorization)
	assert.Equal(t, "ABCDEF123456", r.Refdet)
	assert.Equal(t, "006270", r.Numcli)
	assert.True(t, decimal.RequireFromString("243.11").Equal(r.Amount), "amount %s", r.Amount)
	assert.True(t, r.Confirmed)
	assert.Equal(t, "P", r.Code)
	// 12 December 2019, 13:11 in Paris is 12:11 UTC (winter time).
	assert.True(t, time.Date(2019, 12, 12, 12, 11, 0, 0, time.UTC).Equal(r.TransactionAt), "at %s", r.TransactionAt)
}

func TestStatusOutcomes(t *testing.T) {
	tests := []struct {
		resultrans string
		outcome    domain.Outcome
		method     domain.PaymentMethod
	}{
		{"P", domain.OutcomePaid, domain.MethodCard},
		{"V", domain.OutcomePaid, domain.MethodDirectDebit},
		{"R", domain.OutcomeRefused, domain.MethodCard},
		{"Z", domain.OutcomeRefused, domain.MethodDirectDebit},
		{"A", domain.OutcomeAbandoned, ""},
	}
	for _, tt := range tests {
		t.Run(tt.resultrans, func(t *testing.T) {
			r, err := statusFrom(t, http.StatusOK, answerDetail(tt.resultrans, nil))
			require.NoError(t, err)
			assert.Equal(t, tt.outcome, r.Outcome)
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, tt.resultrans, r.Code)
			assert.Empty(t, r.Authorization, "numauto is absent on a refusal")
			assert.True(t, decimal.RequireFromString("15").Equal(r.Amount))
			// 4 May 2021, 13:25 in Paris is 11:25 UTC (summer time).
			assert.True(t, time.Date(2021, 5, 4, 11, 25, 0, 0, time.UTC).Equal(r.TransactionAt), "at %s", r.TransactionAt)
			assert.True(t, r.Confirmed)
		})
	}
}

func TestStatusFaultsThatAreAnswers(t *testing.T) {
	r, err := statusFrom(t, http.StatusInternalServerError, fault(FaultFunctional, "P1", "IdOp incorrect"))
	require.NoError(t, err)
	assert.Equal(t, domain.Report{Outcome: domain.OutcomeUnknown, Code: "P1"}, r)

	r, err = statusFrom(t, http.StatusInternalServerError, fault(FaultFunctional, "P5", "Résultat de la transaction non connu"))
	require.NoError(t, err)
	assert.Equal(t, domain.Report{Outcome: domain.OutcomePending, Code: "P5"}, r)
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   domain.Code
	}{
		{"R3 is the request's fault", 500, fault(FaultFunctional, "R3", "REFDET non conforme"), domain.Invalid},
		{"A2 is the request's fault", 500, fault(FaultFunctional, "A2", "Adresse mel incorrecte"), domain.Invalid},
		{"another functional code", 500, fault(FaultFunctional, "T2", "Client inconnu"), domain.Invalid},
		{"an operation used or expired", 500, fault(FaultFunctional, "P4", "IdOp expiré"), domain.Conflict},
		{"malfunction", 500, fault(FaultMalfunction, "999", "Erreur technique"), domain.Unavailable},
		{"unavailability", 500, fault(FaultUnavailability, "P1", "Indisponible"), domain.Unavailable},
		{"protocol", 500, fault(FaultProtocol, "999", "Message incorrect"), domain.Unavailable},
		{"HTML from a proxy", 502, "<html><body>Bad Gateway</body></html>", domain.Unavailable},
		{"not XML with 200", 200, "OK", domain.Unavailable},
		{"an answer with an error status", 503, answerPaid, domain.Unavailable},
		{"the answer to another operation", 200, answerCreate, domain.Unavailable},
		{"unknown resultrans", 200, answerDetail("Q", nil), domain.Internal},
		{"malformed montant", 200, answerDetail("P", map[string]string{"montant": "12,50"}), domain.Internal},
		{"zero montant", 200, answerDetail("P", map[string]string{"montant": "0"}), domain.Internal},
		{"impossible date", 200, answerDetail("P", map[string]string{"dattrans": "31022021"}), domain.Internal},
		{"another idOp", 200, answerDetail("P", map[string]string{"idOp": "00000000-0000-0000-0000-000000000000"}), domain.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := statusFrom(t, tt.status, tt.body)
			require.Error(t, err)
			assert.Equal(t, tt.code, domain.ErrorCode(err), "%v", err)
			assert.NotContains(t, domain.ErrorMessage(err), "Erreur technique", "the DGFiP's own text stays in the logs")
		})
	}
}

func TestFaultMessagesForCitizens(t *testing.T) {
	_, err := statusFrom(t, 500, fault(FaultFunctional, "A2", "Adresse mel incorrecte"))
	assert.Contains(t, domain.ErrorMessage(err), "adresse de messagerie")
	assert.Equal(t, "email", domain.ErrorField(err))
	var f *Fault
	require.True(t, errors.As(err, &f), "the fault stays reachable for the logs")
	assert.Equal(t, "A2", f.Code)
	assert.Contains(t, err.Error(), "Adresse mel incorrecte")
	var coded interface{ GatewayCode() string }
	require.True(t, errors.As(err, &coded), "the code is reachable without importing tipi")
	assert.Equal(t, "A2", coded.GatewayCode())

	_, err = statusFrom(t, 500, fault(FaultMalfunction, "999", "NullPointerException"))
	assert.Equal(t, "Le service de paiement de la DGFiP est momentanément indisponible. Veuillez réessayer dans quelques minutes.", domain.ErrorMessage(err))

	_, err = statusFrom(t, 500, fault(FaultFunctional, "&lt;b&gt;x9", "?"))
	assert.Contains(t, domain.ErrorMessage(err), "(code BX9)", "only letters and digits of a code are shown")
}

func TestStatusWithoutOperationCannotBeAsked(t *testing.T) {
	c, srv := newCapture(t, 200, answerPaid)
	g := mustGateway(t, Config{SOAPURL: srv.URL})
	_, err := g.Status(context.Background(), domain.Payment{})
	assert.ErrorIs(t, err, ports.ErrNoStatusQuery)
	_, err = g.Status(context.Background(), domain.Payment{OperationID: "../../etc"})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.Zero(t, c.calls())
}

func TestStatusLenientOnAbsentFields(t *testing.T) {
	// Absent echoes stay zero (the domain skips their check); a date
	// without time is midnight in Paris.
	r, err := statusFrom(t, http.StatusOK, answerDetail("A", map[string]string{"montant": "", "refdet": "", "numcli": "", "heurtrans": "", "idOp": ""}))
	require.NoError(t, err)
	assert.True(t, r.Amount.IsZero())
	assert.Empty(t, r.Refdet)
	assert.True(t, time.Date(2021, 5, 4, 0, 0, 0, 0, domain.Paris).Equal(r.TransactionAt))

	r, err = statusFrom(t, http.StatusOK, answerDetail("R", map[string]string{"dattrans": "", "heurtrans": ""}))
	require.NoError(t, err)
	assert.True(t, r.TransactionAt.IsZero())
}

func TestTransactionTime(t *testing.T) {
	// The autumn change: 02:30 happens twice; time.Date picks one, and
	// the spring gap moves forward, but neither fails.
	for _, tt := range []struct{ date, hour string }{{"27102024", "0230"}, {"31032024", "0230"}, {"29022024", "2359"}} {
		_, err := transactionTime(tt.date, tt.hour)
		assert.NoError(t, err, tt)
	}
	for _, tt := range []struct{ date, hour string }{{"29022023", "1200"}, {"01012024", "2400"}, {"01012024", "1260"}, {"1012024", "1200"}, {"01012024", "12h0"}, {"00012024", "1200"}} {
		_, err := transactionTime(tt.date, tt.hour)
		assert.Error(t, err, tt)
	}
}
