package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestSeedGivesTheManualsDemo(t *testing.T) {
	ctx := context.Background()
	store, hasher, now := seedFixture()
	info, err := demo.Seed(ctx, store, hasher, now)
	require.NoError(t, err)
	assert.True(t, info.Seeded)
	again, err := demo.Seed(ctx, store, hasher, now)
	require.NoError(t, err)
	assert.False(t, again.Seeded, "seeding twice is harmless")

	clock := portstest.NewFixedClock(now)
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: store, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{}, Clock: clock, Random: portstest.NewSeqRandom(2)},
		ports.Config{PublicURL: "http://127.0.0.1:8080", Argon2: hasher.Params, MailInline: true})
	require.NoError(t, err)
	secret, _, err := p.CitizenAccounts().Login(ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	s, c, err := p.CitizenAccounts().Authenticate(ctx, secret)
	require.NoError(t, err)
	d, err := p.Citizens().Dashboard(ctx, c, s)
	require.NoError(t, err)
	assert.NotEmpty(t, d.Notice)
	assert.NotEmpty(t, d.HomeText)
	counts := map[domain.Tab]int{}
	for _, tab := range domain.Tabs {
		page, err := p.Citizens().Invoices(ctx, c, tab, 1, 20)
		require.NoError(t, err)
		counts[tab] = page.Total
		for _, inv := range page.Invoices {
			if tab == domain.TabUnpaid {
				assert.True(t, inv.DueDate.After(domain.Today(now)), "unpaid invoices fall due after today")
			}
		}
	}
	assert.Equal(t, map[domain.Tab]int{domain.TabUnpaid: 4, domain.TabPaid: 6, domain.TabTreasury: 1}, counts,
		"the manual's two paid invoices and last year's four (demo_certificates.go)")
	sel, err := p.Citizens().PayableInvoices(ctx, c)
	require.NoError(t, err)
	assert.Len(t, sel.Invoices, 4, "the manual's three and the one due soon (demo_reminders.go)")
	assert.True(t, sel.Multiple)
	require.NoError(t, p.CitizenAccounts().RequestActivation(ctx, demo.BillerID, demo.NewcomerEmail), "the newcomer can activate")

	offer, err := p.Citizens().Certificates(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, []int{now.Year() - 1}, offer.Years, "last year's certificate at once")
	cert, err := p.Citizens().Certificate(ctx, c, now.Year()-1)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("Attestation de paiement des frais de garde %d", now.Year()-1), cert.Title)
	assert.Len(t, cert.Lines, 3, "the crèche's invoices, not the canteen's")
	assert.Equal(t, demo.CertificateTotal, cert.Total.StringFixed(2))
	assert.Equal(t, []string{domain.MeansOnline, domain.MeansRecorded, domain.MeansOnline},
		[]string{cert.Lines[0].Means, cert.Lines[1].Means, cert.Lines[2].Means})
}

// seedFixture is what every demo test seeds: an empty memory store, a
// fast hasher and the tests' instant.
func seedFixture() (*memory.Store, ports.PasswordHasher, time.Time) {
	fast := ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	hasher := ports.PasswordHasher{Params: fast, Random: portstest.NewSeqRandom(1)}
	return memory.New(), hasher, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
}
