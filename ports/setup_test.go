package ports_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// fastArgon2 keeps tests quick; production uses ports.DefaultArgon2.
var fastArgon2 = ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const password = "demo1234"

// env is a portal over the memory store and recording fakes, with one
// biller, one active payer ("REF001", 3 unpaid invoices) and one known
// payer who has not activated ("REF002", 1 unpaid invoice).
type env struct {
	portal    *ports.Portal
	store     *memory.Store
	mails     *portstest.Mailbox
	gateway   *portstest.FakeGateway
	clock     *portstest.FixedClock
	house     portstest.Household
	newbie    domain.Payer
	citizen   ports.Citizen
	ctx       context.Context
	payCounts *paymentCounter
}

func newEnv(t *testing.T, options ...func(*ports.Config)) *env {
	t.Helper()
	e := &env{
		store: memory.New(), mails: &portstest.Mailbox{}, gateway: &portstest.FakeGateway{},
		clock: portstest.NewFixedClock(portstest.Epoch), ctx: context.Background(), payCounts: &paymentCounter{},
	}
	cfg := ports.Config{PublicURL: "https://factures.testville.fr/", Argon2: fastArgon2, MailInline: true}
	for _, o := range options {
		o(&cfg)
	}
	p, err := ports.NewPortal(ports.Deps{
		Store: e.store, Sessions: e.store, Mailer: e.mails, Gateway: e.gateway,
		Clock: e.clock, Random: portstest.NewSeqRandom(1), Observer: e.payCounts,
	}, cfg)
	require.NoError(t, err)
	e.portal = p
	hash, err := ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(2)}.Hash(password)
	require.NoError(t, err)
	require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
		e.house = portstest.MustSeed(t, tx, hash, 3)
		e.newbie = portstest.NewPayer(t, e.house.Biller, "REF002")
		portstest.MustSavePayer(t, tx, e.newbie)
		portstest.MustSaveInvoices(t, tx, portstest.NewInvoice(t, e.newbie, "2025-900001", "42.00"))
		return nil
	}))
	// Production: in T every result would be a test payment.
	e.setBiller(t, func(b *domain.Biller) { b.MultiplePayments = true; b.Saisie = domain.SaisieProduction })
	e.citizen = ports.Citizen{BillerID: e.house.Biller.ID, AccountID: e.house.Account.ID, PayerID: e.house.Payer.ID}
	return e
}

func (e *env) biller() uuid.UUID { return e.house.Biller.ID }

func (e *env) setBiller(t *testing.T, change func(*domain.Biller)) {
	t.Helper()
	b, err := e.store.Biller(e.ctx, e.biller())
	require.NoError(t, err)
	change(&b)
	require.NoError(t, e.store.SaveBiller(e.ctx, b))
}

func (e *env) invoice(t *testing.T, id uuid.UUID) domain.Invoice {
	t.Helper()
	inv, err := e.store.Invoice(e.ctx, id)
	require.NoError(t, err)
	return inv
}

func (e *env) invoiceIDs(n int) []uuid.UUID {
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = e.house.Invoices[i].ID
	}
	return ids
}

var linkRE = regexp.MustCompile(`https://factures\.testville\.fr(/[a-z/-]+)\?lien=([A-Za-z0-9_%-]+)`)

// linkIn returns the path and the secret of the link in the last mail to addr.
func (e *env) linkIn(t *testing.T, addr string) (string, string) {
	t.Helper()
	mails := e.mails.To(addr)
	require.NotEmpty(t, mails, "no mail to %s", addr)
	m := linkRE.FindStringSubmatch(mails[len(mails)-1].Text)
	require.NotNil(t, m, "no link in %q", mails[len(mails)-1].Text)
	secret, err := url.QueryUnescape(m[2])
	require.NoError(t, err)
	return m[1], secret
}

func (e *env) advance(d time.Duration) { e.clock.Advance(d) }

func epoch() time.Time { return portstest.Epoch }

func domainTen() decimal.Decimal { return decimal.NewFromInt(10) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
