package demo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// The demo's history fills every month of the charts, once, and queues
// no mail when the jobs run over it.
func TestSeedHistoryFillsTheCharts(t *testing.T) {
	ctx := context.Background()
	store, hasher, now := seedFixture()
	_, err := demo.Seed(ctx, store, hasher, now)
	require.NoError(t, err)
	require.NoError(t, demo.SeedHistory(ctx, store, hasher, now))
	require.NoError(t, demo.SeedHistory(ctx, store, hasher, now), "twice is harmless")

	mails := &portstest.Mailbox{}
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: store, Mailer: mails, Gateway: &portstest.FakeGateway{},
		Clock: portstest.NewFixedClock(now), Random: portstest.NewSeqRandom(2)},
		ports.Config{PublicURL: "http://127.0.0.1:8080", Argon2: hasher.Params, MailInline: true})
	require.NoError(t, err)
	reader := ports.Actor{Kind: domain.ActorStaff, BillerID: demo.BillerID, ID: demo.ReaderID, Role: domain.RoleReader}
	charts, err := p.BackOffice().StaffCharts(ctx, reader)
	require.NoError(t, err)
	for _, m := range charts.Collected {
		assert.True(t, m.Total.IsPositive(), "%s: something collected", m.Month)
		assert.True(t, m.YearBefore.IsPositive(), "%s: something a year before", m.Month)
		assert.True(t, m.ByChannel[domain.ChannelOnline].IsPositive(), "%s: online", m.Month)
	}
	this := charts.Collected[ports.ChartMonths-1]
	// The current month's history (the journey reads it): online and
	// declared come from it alone; the manual's demo adds its counter
	// payment of twelve days ago to the counter's.
	assert.Equal(t, "123.07", this.ByChannel[domain.ChannelOnline].StringFixed(2))
	assert.Equal(t, "54.21", this.ByChannel[domain.ChannelDeclared].StringFixed(2))
	assert.Equal(t, "202.74", this.ByChannel[domain.ChannelCounter].StringFixed(2), "141.14 and the demo's 61.60")
	assert.Equal(t, 2, charts.Outstanding[domain.Overdue1To30].Invoices, "the two late households")
	last := charts.TakeUp[ports.ChartMonths-1]
	assert.Equal(t, demo.BoardPayers+2, last.Payers)
	assert.True(t, last.ActivatedShare.IsPositive())

	before := len(mails.Mails())
	_, err = p.Jobs().RunReminders(ctx)
	require.NoError(t, err)
	_, err = p.Jobs().RunNotices(ctx)
	require.NoError(t, err)
	_, err = p.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	for _, m := range mails.Mails()[before:] {
		assert.NotContains(t, fmt.Sprint(m.To), "foyer", "no mail to the history's households")
	}
}
