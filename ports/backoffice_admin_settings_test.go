package ports_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// agent is a staff member of the env's biller with role.
func agent(e *env, role domain.StaffRole) ports.Actor {
	return ports.Actor{Kind: domain.ActorStaff, BillerID: e.biller(), ID: uuid.MustParse("5a1f0000-0000-7000-8000-000000000001"),
		Label: "agent@testville.fr", Role: role, IP: clientIP}
}

// otherBiller saves a second biller and returns a manager of it.
func otherBiller(t *testing.T, e *env) ports.Actor {
	t.Helper()
	b, err := domain.NewBiller(uuid.MustParse("0b000000-0000-7000-8000-000000000002"), "Syndicat des eaux", "004299", "eaux@exemple.fr", epoch())
	require.NoError(t, err)
	require.NoError(t, e.store.SaveBiller(e.ctx, b))
	a := agent(e, domain.RoleManager)
	a.BillerID, a.Label = b.ID, "agent@eaux.fr"
	return a
}

func TestSettingsRolesAndScope(t *testing.T) {
	e := newEnv(t)
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, agent(e, domain.RoleReader))
	require.NoError(t, err, "the lecture role reads")
	in := ports.SettingsInputOf(b)
	in.Notice = "Coupure d'eau le 3 mars."

	err = e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, agent(e, domain.RoleReader), in)
	assert.Equal(t, domain.Forbidden, domain.ErrorCode(err))
	assert.ErrorIs(t, err, ports.ErrReadOnly)

	lost := agent(e, domain.RoleManager)
	lost.BillerID = uuid.MustParse("0b000000-0000-7000-8000-0000000000ff")
	_, err = e.portal.BackOfficeAdmin().Settings(e.ctx, lost)
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a biller that does not exist")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, lost, in)))
	citizen := agent(e, domain.RoleManager)
	citizen.Kind = domain.ActorCitizen
	assert.Equal(t, domain.NotFound, domain.ErrorCode(e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, citizen, in)), "citizens have no back office")

	other := otherBiller(t, e)
	otherB, err := e.portal.BackOfficeAdmin().Settings(e.ctx, other)
	require.NoError(t, err)
	assert.Equal(t, "Syndicat des eaux", otherB.Name, "each actor sees its own biller only")
	otherIn := ports.SettingsInputOf(otherB)
	otherIn.Notice = "Chez le syndicat"
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, other, otherIn))
	b, err = e.portal.BackOfficeAdmin().Settings(e.ctx, agent(e, domain.RoleReader))
	require.NoError(t, err)
	assert.Empty(t, b.Notice, "the other biller's change stays there")
	assert.Empty(t, auditTrail(t, e, domain.AuditSettingsChanged))
}

func TestUpdateSettings(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	b.Saisie = domain.SaisieTest
	require.NoError(t, e.store.SaveBiller(e.ctx, b))
	in := ports.SettingsInputOf(b)
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in))
	assert.Empty(t, auditTrail(t, e, domain.AuditSettingsChanged), "nothing changed, nothing logged")

	in.Notice = "  Coupure d'eau\r\nle 3 mars.  "
	in.HomeText = "Bienvenue"
	in.MultiplePayments = false
	in.TreasuryDelayDays = 45
	in.MinPasswordLength = 10
	in.LockDuration = 90 * time.Minute
	in.Numcli = " 004201 "
	in.Saisie = domain.SaisieProduction
	in.SuspensionMode = domain.SuspensionNow
	in.SuspensionMessage = "Maintenance"
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in))

	got, err := e.store.Biller(e.ctx, e.biller())
	require.NoError(t, err)
	assert.Equal(t, "Coupure d'eau\nle 3 mars.", got.Notice)
	assert.Equal(t, "Bienvenue", got.HomeText)
	assert.False(t, got.MultiplePayments)
	assert.Equal(t, 45, got.TreasuryDelayDays)
	assert.Equal(t, 10, got.MinPasswordLength)
	assert.Equal(t, 90*time.Minute, got.LockDuration)
	assert.Equal(t, "004201", got.Numcli)
	assert.Equal(t, domain.SaisieProduction, got.Saisie)
	assert.Equal(t, domain.Suspension{Active: true, Message: "Maintenance"}, got.Suspension)

	ev := auditTrail(t, e, domain.AuditSettingsChanged)
	require.Len(t, ev, 1)
	assert.Equal(t, domain.ActorStaff, ev[0].Actor)
	assert.Equal(t, "agent@testville.fr", ev[0].ActorLabel)
	assert.Equal(t, clientIP, ev[0].IP)
	for _, want := range []string{"information importante : texte modifié", "texte d'accueil", "plusieurs factures à la fois : oui → non",
		"suspension du paiement : aucune → immédiate", "trésorerie (jours) : 30 → 45", "mot de passe : 8 → 10",
		"paiement : 2 h → 1 h 30 min", "PayFiP : 004200 → 004201", "mode de saisie PayFiP : T → W"} {
		assert.Contains(t, ev[0].Detail, want)
	}
}

func TestSettingsAreChecked(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	now := e.clock.Now()
	for name, c := range map[string]struct {
		change func(*ports.SettingsInput)
		field  string
	}{
		"password shorter than 5":   {func(in *ports.SettingsInput) { in.MinPasswordLength = 4 }, "min_password_length"},
		"numcli of 5 digits":        {func(in *ports.SettingsInput) { in.Numcli = "12345" }, "numcli"},
		"unknown saisie":            {func(in *ports.SettingsInput) { in.Saisie = "Z" }, "saisie"},
		"lock under a minute":       {func(in *ports.SettingsInput) { in.LockDuration = time.Second }, "lock_duration"},
		"negative treasury delay":   {func(in *ports.SettingsInput) { in.TreasuryDelayDays = -1 }, "treasury_delay_days"},
		"unknown suspension mode":   {func(in *ports.SettingsInput) { in.SuspensionMode = "bientôt" }, "suspension_mode"},
		"scheduled without instant": {func(in *ports.SettingsInput) { in.SuspensionMode = domain.SuspensionScheduled }, "suspension_from"},
		"end before start": {func(in *ports.SettingsInput) {
			in.SuspensionMode, in.SuspensionFrom, in.SuspensionUntil = domain.SuspensionScheduled, now.Add(2*time.Hour), now.Add(time.Hour)
		}, "suspension_until"},
		"end already past": {func(in *ports.SettingsInput) {
			in.SuspensionMode, in.SuspensionUntil = domain.SuspensionScheduled, now.Add(-time.Minute)
		}, "suspension_until"},
		"notice too long": {func(in *ports.SettingsInput) { in.Notice = string(make([]byte, 2001)) + "x" }, "notice"},
	} {
		t.Run(name, func(t *testing.T) {
			in := ports.SettingsInputOf(b)
			c.change(&in)
			err := e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in)
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
			assert.Equal(t, c.field, domain.ErrorField(err), domain.ErrorMessage(err))
		})
	}
	after, err := e.store.Biller(e.ctx, e.biller())
	require.NoError(t, err)
	assert.Equal(t, b, after, "nothing saved")
}

func TestScheduledSuspensionBlocksPaymentExactlyOverItsPeriod(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	from, until := epoch().Add(time.Hour), epoch().Add(3*time.Hour)
	in := ports.SettingsInputOf(b)
	in.SuspensionMode, in.SuspensionFrom, in.SuspensionUntil = domain.SuspensionScheduled, from, until
	in.SuspensionMessage = "Maintenance des factures jusqu'à 12h30."
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in))
	ev := auditTrail(t, e, domain.AuditSettingsChanged)
	require.Len(t, ev, 1)
	assert.Contains(t, ev[0].Detail, "programmée du 14/03/2025 à 11h30 au 14/03/2025 à 13h30", "Paris time")

	invoice := e.house.Invoices[0].ID
	payable := func(at time.Time) bool {
		t.Helper()
		e.clock.Set(at)
		sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
		require.NoError(t, err)
		d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, invoice)
		require.NoError(t, err)
		assert.Equal(t, len(sel.Invoices) > 0, d.Actions.Pay, "the selection and the detail agree at %s", at)
		if !d.Actions.Pay {
			assert.Equal(t, "Maintenance des factures jusqu'à 12h30.", domain.ErrorMessage(d.Actions.PayBlocked))
		}
		return d.Actions.Pay
	}
	assert.True(t, payable(from.Add(-time.Nanosecond)), "just before the start")
	assert.False(t, payable(from), "from the start")
	assert.False(t, payable(until.Add(-time.Nanosecond)), "until just before the end")
	assert.True(t, payable(until), "from the end on")

	e.clock.Set(from)
	_, err = e.portal.Citizens().PreparePayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err), "a payment cannot start either")
}

func TestApplyPaymentConfig(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	before, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)

	require.NoError(t, e.portal.Operator().ApplyPaymentConfig(e.ctx, before.ID, "", ""), "nothing configured changes nothing")
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.Equal(t, before.Numcli, b.Numcli)
	assert.Equal(t, before.Saisie, b.Saisie)

	require.NoError(t, e.portal.Operator().ApplyPaymentConfig(e.ctx, before.ID, "007143", ""))
	b, err = e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.Equal(t, "007143", b.Numcli)
	assert.Equal(t, before.Saisie, b.Saisie, "an empty environment keeps the stored one")

	require.NoError(t, e.portal.Operator().ApplyPaymentConfig(e.ctx, before.ID, "", domain.SaisieTest))
	b, err = e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.Equal(t, "007143", b.Numcli, "an empty client number keeps the stored one")
	assert.Equal(t, domain.SaisieTest, b.Saisie)
	assert.Empty(t, auditTrail(t, e, domain.AuditSettingsChanged), "the operator's configuration is not a staff change")

	err = e.portal.Operator().ApplyPaymentConfig(e.ctx, uuid.MustParse("0b000000-0000-7000-8000-0000000000ff"), "007143", "")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
}
