package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func loggedInAccount(t *testing.T, now time.Time) domain.Account {
	t.Helper()
	p := domain.Payer{ID: uuid.New(), BillerID: uuid.New(), ExternalRef: "REF", Name: "Camille", Email: "camille@exemple.fr"}
	a := domain.NewAccount(uuid.New(), p, now)
	a.SetPassword("hash", now)
	a.LastLoginAt = now
	a.NoticesOff = true
	return a
}

func TestAccountClose(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a := loggedInAccount(t, now)
	require.NoError(t, a.Close(now.Add(time.Hour)))
	assert.True(t, a.Closed())
	assert.False(t, a.Active(), "a closed account cannot log in")
	assert.True(t, a.ClosedAt.Equal(now.Add(time.Hour)))
	assert.Equal(t, "camille@exemple.fr", a.Email, "kept until the retention period is over")
	require.ErrorIs(t, a.Close(now.Add(2*time.Hour)), domain.ErrAccountClosed)
	assert.True(t, a.ClosedAt.Equal(now.Add(time.Hour)), "the first closure stays")

	pending := domain.NewAccount(uuid.New(), domain.Payer{ID: uuid.New(), BillerID: uuid.New(), Email: "x@exemple.fr"}, now)
	require.NoError(t, pending.Close(now), "a pending account may be closed too")
}

func TestRetentionPeriod(t *testing.T) {
	for months, ok := range map[int]bool{0: false, 1: true, 12: true, 60: true, 61: false, -3: false} {
		err := domain.CheckRetention(months)
		assert.Equal(t, ok, err == nil, "%d months", months)
		if err != nil {
			assert.Equal(t, "retention_months", domain.ErrorField(err))
		}
	}
	b := mustBiller(t)
	assert.Equal(t, domain.DefaultRetentionMonths, b.RetentionMonths, "a new biller keeps 12 months")
	b.RetentionMonths = 61
	assert.Equal(t, "retention_months", domain.ErrorField(b.Validate()))

	// The cutoff counts calendar months in Paris.
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	b.RetentionMonths = 1
	assert.True(t, b.RetentionCutoff(now).Equal(time.Date(2026, 3, 3, 14, 0, 0, 0, domain.Paris)), "31 March less a month normalises as Go's AddDate: %v", b.RetentionCutoff(now))
	b.RetentionMonths = 0
	assert.True(t, b.RetentionCutoff(now).Equal(now.AddDate(-1, 0, 0)), "zero is the default, 12 months")
}

func TestAccountForgettable(t *testing.T) {
	b := mustBiller(t)
	now := time.Date(2027, 6, 15, 9, 0, 0, 0, time.UTC)
	a := loggedInAccount(t, now.AddDate(-3, 0, 0))
	assert.False(t, a.Forgettable(b, now), "an open account")
	require.NoError(t, a.Close(now.AddDate(-1, 0, 1)))
	assert.False(t, a.Forgettable(b, now), "closed less than 12 months ago")
	b.RetentionMonths = 6
	assert.True(t, a.Forgettable(b, now), "closed more than 6 months ago")
	a.Anonymise(now)
	assert.False(t, a.Forgettable(b, now), "erased once")
}

func TestAccountAnonymise(t *testing.T) {
	now := time.Date(2027, 6, 15, 9, 0, 0, 0, time.UTC)
	a := loggedInAccount(t, now.AddDate(-2, 0, 0))
	require.NoError(t, a.Close(now.AddDate(-1, -1, 0)))
	before := a
	a.Anonymise(now)
	assert.Empty(t, a.Email)
	assert.Empty(t, a.PasswordHash)
	assert.True(t, a.LastLoginAt.IsZero())
	assert.False(t, a.NoticesOff)
	assert.True(t, a.AnonymisedAt.Equal(now))
	assert.Equal(t, before.ID, a.ID)
	assert.Equal(t, before.PayerID, a.PayerID, "payments refer to the account and its payer")
	assert.Equal(t, domain.AccountClosed, a.State)
	assert.True(t, a.ClosedAt.Equal(before.ClosedAt))

	m := domain.Message{ID: uuid.New(), FromEmail: "camille@exemple.fr", Subject: "Mon adresse", Body: "J'habite 3 rue des Lilas", State: domain.MessageHandled}
	m.Anonymise()
	assert.Empty(t, m.FromEmail)
	assert.Equal(t, domain.Anonymised, m.Subject)
	assert.Equal(t, domain.Anonymised, m.Body)
	assert.Equal(t, domain.MessageHandled, m.State)
}

func TestRedactAudit(t *testing.T) {
	e := domain.AuditEvent{ID: uuid.New(), Actor: domain.ActorCitizen, ActorID: uuid.New(), ActorLabel: "camille@exemple.fr",
		Action: domain.AuditEmailChanged, Target: "Camille.M@exemple.fr",
		Detail: "Adresse de connexion changée de camille@exemple.fr en Camille.M@exemple.fr (lien confirmé).", IP: "192.0.2.1"}
	got := domain.RedactAudit(e)
	assert.Equal(t, e.ID, got.ID)
	assert.Equal(t, e.Action, got.Action)
	assert.Equal(t, uuid.Nil, got.ActorID)
	assert.Equal(t, domain.Anonymised, got.ActorLabel)
	assert.Equal(t, domain.Anonymised, got.Target)
	assert.Equal(t, "Adresse de connexion changée de [anonymisé] en [anonymisé] (lien confirmé).", got.Detail)
	assert.Empty(t, got.IP)
	assert.Equal(t, "Connexion.", domain.RedactAudit(domain.AuditEvent{Detail: "Connexion."}).Detail, "a detail without address stays")
}
