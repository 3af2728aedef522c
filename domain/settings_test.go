package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestNewSuspension(t *testing.T) {
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	for name, c := range map[string]struct {
		mode        domain.SuspensionMode
		from, until time.Time
		want        domain.Suspension
		field       string
		describe    string
	}{
		"none keeps the message":      {mode: domain.SuspensionOff, want: domain.Suspension{Message: "m"}, describe: "aucune"},
		"now":                         {mode: domain.SuspensionNow, from: at(1), want: domain.Suspension{Active: true, Message: "m"}, describe: "immédiate, jusqu'à levée"},
		"scheduled from and until":    {mode: domain.SuspensionScheduled, from: at(1), until: at(2), want: domain.Suspension{Active: true, Message: "m", From: at(1), Until: at(2)}},
		"scheduled from only":         {mode: domain.SuspensionScheduled, from: at(1), want: domain.Suspension{Active: true, Message: "m", From: at(1)}},
		"scheduled until only":        {mode: domain.SuspensionScheduled, until: at(1), want: domain.Suspension{Active: true, Message: "m", Until: at(1)}},
		"already started is fine":     {mode: domain.SuspensionScheduled, from: at(-1), until: at(1), want: domain.Suspension{Active: true, Message: "m", From: at(-1), Until: at(1)}},
		"scheduled without any bound": {mode: domain.SuspensionScheduled, field: "suspension_from"},
		"end before start":            {mode: domain.SuspensionScheduled, from: at(2), until: at(1), field: "suspension_until"},
		"end equal to start":          {mode: domain.SuspensionScheduled, from: at(2), until: at(2), field: "suspension_until"},
		"end already past":            {mode: domain.SuspensionScheduled, until: at(-1), field: "suspension_until"},
		"unknown mode":                {mode: "plus tard", field: "suspension_mode"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := domain.NewSuspension(c.mode, "  m ", c.from, c.until, now)
			if c.field != "" {
				assert.Equal(t, c.field, domain.ErrorField(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, s)
			assert.Equal(t, c.mode, s.Mode())
			if c.describe != "" {
				assert.Equal(t, c.describe, s.Describe())
			}
		})
	}
}

func TestBillerInTest(t *testing.T) {
	for s, want := range map[domain.Saisie]bool{domain.SaisieTest: true, domain.SaisieActivation: false, domain.SaisieProduction: false} {
		assert.Equal(t, want, domain.Biller{Saisie: s}.InTest(), s)
	}
}
