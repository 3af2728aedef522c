package portstest_test

import (
	"errors"
	"io"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestMailboxRecordsEveryMail(t *testing.T) {
	ctx := t.Context()
	var box portstest.Mailbox // the zero value is ready
	_, ok := box.Last()
	assert.False(t, ok)
	require.NoError(t, box.Send(ctx, ports.Mail{To: "Demo@Demo.fr", Subject: "Activation"}))
	require.NoError(t, box.Send(ctx, ports.Mail{To: "autre@demo.fr", Subject: "Réinitialisation"}))
	require.NoError(t, box.Send(ctx, ports.Mail{To: "demo@demo.fr", Subject: "Confirmation"}))

	assert.Len(t, box.Mails(), 3)
	last, ok := box.Last()
	require.True(t, ok)
	assert.Equal(t, "Confirmation", last.Subject)
	to := box.To(" DEMO@demo.fr")
	require.Len(t, to, 2, "addresses compare without case")
	assert.Equal(t, "Activation", to[0].Subject)

	mails := box.Mails()
	mails[0].Subject = "changé"
	assert.Equal(t, "Activation", box.Mails()[0].Subject, "Mails returns a copy")

	box.Reset()
	assert.Empty(t, box.Mails())
}

func TestMailboxFailsTheNextSends(t *testing.T) {
	ctx := t.Context()
	var box portstest.Mailbox
	down := domain.WrapUnavailable(errors.New("smtp: connection refused"))
	box.FailNext(2, down)
	for range 2 {
		err := box.Send(ctx, ports.Mail{To: "a@exemple.fr"})
		assert.ErrorIs(t, err, down)
		assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
	}
	assert.Empty(t, box.Mails(), "a failed mail is not recorded")
	require.NoError(t, box.Send(ctx, ports.Mail{To: "a@exemple.fr"}))
	assert.Len(t, box.Mails(), 1)

	box.FailNext(1, down)
	box.Reset()
	assert.NoError(t, box.Send(ctx, ports.Mail{}), "Reset cancels planned failures")
}

func TestMailboxIsSafeForConcurrentUse(t *testing.T) {
	var box portstest.Mailbox
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_ = box.Send(t.Context(), ports.Mail{To: "a@exemple.fr"})
				_, _ = box.Last()
				_ = box.To("a@exemple.fr")
			}
		})
	}
	wg.Wait()
	assert.Len(t, box.Mails(), 400)
}

func TestFixedClock(t *testing.T) {
	clock := portstest.NewFixedClock(portstest.Epoch)
	assert.True(t, clock.Now().Equal(portstest.Epoch))
	assert.True(t, clock.Now().Equal(portstest.Epoch), "the clock does not move by itself")
	assert.True(t, clock.Advance(2*time.Hour).Equal(portstest.Epoch.Add(2*time.Hour)))
	assert.True(t, clock.Now().Equal(portstest.Epoch.Add(2*time.Hour)))
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, domain.Paris)
	clock.Set(later)
	assert.True(t, clock.Now().Equal(later))

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				clock.Advance(time.Second)
				_ = clock.Now()
			}
		})
	}
	wg.Wait()
	assert.True(t, clock.Now().Equal(later.Add(800*time.Second)))
}

func request(refdet string) ports.PaymentRequest {
	return ports.PaymentRequest{
		PaymentID: uuid.New(), Numcli: "004200", Saisie: domain.SaisieProduction, Refdet: refdet,
		Year: 2025, Amount: decimal.RequireFromString("42.10"), Email: "demo@demo.fr", Object: "Facture 2025-0001",
	}
}

func TestFakeGatewayStartsNumberedOperations(t *testing.T) {
	ctx := t.Context()
	var g portstest.FakeGateway
	_, ok := g.LastRequest()
	assert.False(t, ok)

	c1, err := g.Start(ctx, request("REFDET000001"))
	require.NoError(t, err)
	assert.Equal(t, ports.Checkout{OperationID: "op-1", RedirectURL: "https://payfip.test/tpa/paiementws.web?idop=op-1"}, c1)
	c2, err := g.Start(ctx, request("REFDET000002"))
	require.NoError(t, err)
	assert.Equal(t, "op-2", c2.OperationID)
	assert.Equal(t, "https://payfip.test/tpa/paiementws.web?idop=op-2", c2.RedirectURL)

	reqs := g.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "REFDET000001", reqs[0].Refdet)
	last, ok := g.LastRequest()
	require.True(t, ok)
	assert.Equal(t, "REFDET000002", last.Refdet)
}

func TestFakeGatewayFailsTheNextStarts(t *testing.T) {
	ctx := t.Context()
	var g portstest.FakeGateway
	refused := domain.Errorf(domain.Unavailable, "Le service de paiement est indisponible.")
	g.FailNextStarts(1, refused)
	_, err := g.Start(ctx, request("REFDET000001"))
	assert.ErrorIs(t, err, refused)
	c, err := g.Start(ctx, request("REFDET000002"))
	require.NoError(t, err)
	assert.Equal(t, "op-1", c.OperationID, "a failed start uses no operation id")
	assert.Len(t, g.Requests(), 2, "a failed start is recorded")
}

func TestFakeGatewayStatus(t *testing.T) {
	ctx := t.Context()
	var g portstest.FakeGateway
	req := request("REFDET000001")
	c, err := g.Start(ctx, req)
	require.NoError(t, err)
	p := domain.Payment{Refdet: req.Refdet, Total: req.Amount, Numcli: req.Numcli, OperationID: c.OperationID,
		State: domain.PaymentInProgress, CreatedAt: portstest.Epoch}

	r, err := g.Status(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, domain.OutcomePending, r.Outcome, "nothing set yet: P5")
	assert.Equal(t, "P5", r.Code)

	unknown := p
	unknown.OperationID = "op-inconnue"
	r, err = g.Status(ctx, unknown)
	require.NoError(t, err)
	assert.Equal(t, domain.OutcomeUnknown, r.Outcome, "an operation never started: P1")

	paid := g.SetOutcome(c.OperationID, domain.OutcomePaid)
	r, err = g.Status(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, paid, r)
	changed, err := p.Apply(r, portstest.Epoch.Add(time.Minute))
	require.NoError(t, err, "the report echoes the request, so the domain accepts it")
	assert.True(t, changed)
	assert.Equal(t, domain.PaymentPaid, p.State)
	assert.True(t, p.Confirmed)

	g.SetStatusError(c.OperationID, ports.ErrNoStatusQuery)
	_, err = g.Status(ctx, p)
	assert.ErrorIs(t, err, ports.ErrNoStatusQuery)

	abandoned := domain.Report{Outcome: domain.OutcomeAbandoned, Code: "A", Confirmed: true}
	g.SetReport(c.OperationID, abandoned)
	r, err = g.Status(ctx, p)
	require.NoError(t, err, "SetReport replaces an error set before")
	assert.Equal(t, abandoned, r)

	assert.Equal(t, []string{"op-1", "op-inconnue", "op-1", "op-1", "op-1"}, g.StatusQueries())
	assert.Panics(t, func() { g.SetOutcome("op-99", domain.OutcomePaid) })
}

func TestFakeGatewayReadsIdopInAnyCase(t *testing.T) {
	ctx := t.Context()
	var g portstest.FakeGateway
	for _, name := range []string{"idop", "idOp", "IDOP", "IdOp"} {
		n, err := g.ReadNotification(ctx, url.Values{name: {"op-7"}, "autre": {"x"}})
		require.NoError(t, err, name)
		assert.Equal(t, "op-7", n.OperationID, name)
	}
	n, err := g.ReadNotification(ctx, url.Values{"IDOP": {""}, "idOp": {"op-8"}, "REFDET": {"REFDET000001"}})
	require.NoError(t, err)
	assert.Equal(t, ports.Notification{OperationID: "op-8", Refdet: "REFDET000001"}, n, "empty values are skipped")

	_, err = g.ReadNotification(ctx, url.Values{"refdet": {"REFDET000001"}})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "a callback without idop")
}

func TestSeqRandomIsDeterministic(t *testing.T) {
	read := func(r io.Reader, n int) []byte {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		require.NoError(t, err)
		return b
	}
	a, b := portstest.NewSeqRandom(1), portstest.NewSeqRandom(1)
	first := read(a, 32)
	assert.Equal(t, first, read(b, 32), "same seed, same stream")
	assert.NotEqual(t, first, read(a, 32), "the stream goes on")
	assert.NotEqual(t, first, read(portstest.NewSeqRandom(2), 32), "another seed, another stream")
	var zero portstest.SeqRandom
	assert.Equal(t, read(portstest.NewSeqRandom(0), 64), read(&zero, 64), "the zero value is seed 0")

	// It feeds the domain like the system source.
	tok, secret, err := domain.NewToken(read(portstest.NewSeqRandom(3), domain.TokenBytes), uuid.New(), domain.TokenReset, portstest.Epoch, time.Hour)
	require.NoError(t, err)
	tok2, secret2, err := domain.NewToken(read(portstest.NewSeqRandom(3), domain.TokenBytes), uuid.New(), domain.TokenReset, portstest.Epoch, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, secret, secret2)
	assert.Equal(t, tok.Hash, tok2.Hash)

	shared := portstest.NewSeqRandom(4)
	seen := sync.Map{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_, dup := seen.LoadOrStore(string(read(shared, 16)), true)
				assert.False(t, dup, "concurrent readers never get the same bytes")
			}
		})
	}
	wg.Wait()
}

func TestDiffComparesAsAStoreGivesBack(t *testing.T) {
	inv := domain.Invoice{
		Number: "2025-0001", Amount: decimal.RequireFromString("2.5"),
		PaidAt: portstest.Epoch, IssueDate: domain.NewDate(2025, time.March, 1),
	}
	same := inv
	same.Amount = decimal.RequireFromString("2.50")
	same.PaidAt = portstest.Epoch.In(domain.Paris)
	assert.Empty(t, portstest.Diff(inv, same), "2.5 is 2.50 and an instant is the same in any zone")

	p := domain.Payment{InvoiceIDs: nil}
	q := domain.Payment{InvoiceIDs: []uuid.UUID{}}
	assert.Empty(t, portstest.Diff(p, q), "a nil slice equals an empty one")

	other := inv
	other.Number = "2025-0002"
	other.PaidAt = portstest.Epoch.Add(time.Microsecond)
	other.IssueDate.Day = 2
	diffs := portstest.Diff(inv, other)
	require.Len(t, diffs, 3)
	assert.Contains(t, diffs[0], "Number")
	assert.Contains(t, diffs[1], "IssueDate.Day")
	assert.Contains(t, diffs[2], "PaidAt")

	q.InvoiceIDs = []uuid.UUID{uuid.New()}
	assert.NotEmpty(t, portstest.Diff(p, q))
}

func TestFixturesAreValid(t *testing.T) {
	b := portstest.NewBiller(t)
	require.NoError(t, b.Validate())
	p := portstest.NewPayer(t, b, "REF-001")
	require.NoError(t, p.Validate())
	assert.Equal(t, "ref-001@exemple.fr", p.Email)
	a := portstest.NewAccount(t, p)
	assert.Equal(t, p.ID, a.PayerID)
	inv := portstest.NewInvoice(t, p, "2025-0001", "12.34")
	require.NoError(t, inv.Validate())
	pay := portstest.NewPayment(t, b, a, inv)
	require.NoError(t, domain.CheckRefdet(pay.Refdet))
	assert.True(t, pay.Total.Equal(inv.Amount))
	assert.Equal(t, portstest.Epoch, portstest.Epoch.Truncate(time.Microsecond), "Epoch has no finer part than microseconds")
}
