package portstest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// payerWithInvoices saves a fresh biller, payer, account and n unpaid
// invoices through tx.
func payerWithInvoices(t *testing.T, tx ports.Tx, n int) (domain.Biller, domain.Account, []domain.Invoice) {
	t.Helper()
	b, p := savePayer(t, tx)
	a := NewAccount(t, p)
	MustSaveAccount(t, tx, a)
	invs := make([]domain.Invoice, n)
	for i := range invs {
		invs[i] = NewInvoice(t, p, fmt.Sprintf("2024-%04d", i+1), fmt.Sprintf("%d.25", 10+i))
	}
	MustSaveInvoices(t, tx, invs...)
	return b, a, invs
}

var paymentTests = []storeTest{
	{"a saved payment reads back with every field by id, for update, refdet and operation, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b, a, invs := payerWithInvoices(t, tx, 3)
			created := NewPayment(t, b, a, invs...)
			p := fullPayment(t, created)
			MustSavePayment(t, tx, p)
			for name, read := range map[string]func() (domain.Payment, error){
				"Payment":            func() (domain.Payment, error) { return tx.Payment(ctx, p.ID) },
				"PaymentForUpdate":   func() (domain.Payment, error) { return tx.PaymentForUpdate(ctx, p.ID) },
				"PaymentByRefdet":    func() (domain.Payment, error) { return tx.PaymentByRefdet(ctx, p.Refdet) },
				"PaymentByOperation": func() (domain.Payment, error) { return tx.PaymentByOperation(ctx, p.OperationID) },
			} {
				got, err := read()
				require.NoError(t, err, name)
				AssertSame(t, p, got, name)
			}

			MustSavePayment(t, tx, created)
			got, err := tx.Payment(ctx, p.ID)
			require.NoError(t, err)
			AssertSame(t, created, got)
			assert.Empty(t, got.OperationID)
			assert.True(t, got.TransactionAt.IsZero() && got.FinishedAt.IsZero(), "zero instants come back zero")
			_, err = tx.PaymentByOperation(ctx, p.OperationID)
			requireNotFound(t, err, "PaymentByOperation of the operation the payment no longer has")
		})
	}},
	{"the invoices of a payment keep their order", func(t *testing.T, s ports.Store) {
		b, a, invs := payerWithInvoices(t, s, 4)
		p := NewPayment(t, b, a, invs[2], invs[0], invs[3], invs[1])
		MustSavePayment(t, s, p)
		got, err := s.Payment(t.Context(), p.ID)
		require.NoError(t, err)
		assert.Equal(t, p.InvoiceIDs, got.InvoiceIDs)
		assert.Equal(t, p.InvoiceNumbers, got.InvoiceNumbers)
	}},
	{"a missing payment is NotFound", func(t *testing.T, s ports.Store) {
		b, a, invs := payerWithInvoices(t, s, 1)
		MustSavePayment(t, s, NewPayment(t, b, a, invs...)) // no operation id yet
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			_, err := tx.Payment(ctx, uuid.New())
			requireNotFound(t, err, "Payment")
			_, err = tx.PaymentForUpdate(ctx, uuid.New())
			requireNotFound(t, err, "PaymentForUpdate")
			_, err = tx.PaymentByRefdet(ctx, "INCONNU0000")
			requireNotFound(t, err, "PaymentByRefdet")
			_, err = tx.PaymentByOperation(ctx, "op-inconnue")
			requireNotFound(t, err, "PaymentByOperation")
			_, err = tx.PaymentByOperation(ctx, "")
			requireNotFound(t, err, "PaymentByOperation of the empty id, though a payment has none")
		})
	}},
	{"the refdet is unique", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b1, a1, invs1 := payerWithInvoices(t, s, 1)
		b2, a2, invs2 := payerWithInvoices(t, s, 1)
		p1 := NewPayment(t, b1, a1, invs1...)
		MustSavePayment(t, s, p1)
		p2 := NewPayment(t, b2, a2, invs2...)
		p2.Refdet = p1.Refdet
		requireConflict(t, s.SavePayment(ctx, p2), "SavePayment with another payment's refdet, even of another biller")
		_, err := s.Payment(ctx, p2.ID)
		requireNotFound(t, err, "the refused payment")
	}},
	{"the operation id is unique when there is one", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 2)
		p1, p2, p3 := NewPayment(t, b, a, invs[0]), NewPayment(t, b, a, invs[1]), NewPayment(t, b, a, invs[1])
		MustSavePayment(t, s, p1)
		MustSavePayment(t, s, p2) // two payments without operation id
		require.NoError(t, p1.Begin("op-1", Epoch))
		MustSavePayment(t, s, p1)
		require.NoError(t, p3.Begin("op-1", Epoch))
		requireConflict(t, s.SavePayment(ctx, p3), "SavePayment with another payment's operation id")
		require.NoError(t, p2.Begin("op-1", Epoch))
		requireConflict(t, s.SavePayment(ctx, p2), "SavePayment giving a payment another's operation id")

		got, err := s.PaymentByOperation(ctx, "op-1")
		require.NoError(t, err)
		assert.Equal(t, p1.ID, got.ID, "an operation id given by a later save is found")
		got, err = s.Payment(ctx, p2.ID)
		require.NoError(t, err)
		assert.Empty(t, got.OperationID, "the refused save changed nothing")
	}},
	{"LivePayments lists created and in-progress payments, oldest first, up to the limit", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 1)
		b2, a2, invs2 := payerWithInvoices(t, s, 1)
		var want []uuid.UUID
		add := func(b domain.Biller, a domain.Account, inv domain.Invoice, minutes int, state domain.PaymentState) domain.Payment {
			p := NewPayment(t, b, a, inv)
			p.CreatedAt = Epoch.Add(time.Duration(minutes) * time.Minute)
			p.State = state
			MustSavePayment(t, s, p)
			if !state.Final() {
				want = append(want, p.ID)
			}
			return p
		}
		add(b, a, invs[0], -30, domain.PaymentInProgress)
		add(b2, a2, invs2[0], -20, domain.PaymentCreated) // any biller
		add(b, a, invs[0], -25, domain.PaymentPaid)
		add(b, a, invs[0], -40, domain.PaymentExpired)
		add(b, a, invs[0], -35, domain.PaymentAbandoned)
		add(b, a, invs[0], -45, domain.PaymentRefused)
		add(b, a, invs[0], -50, domain.PaymentFailed)
		last := add(b, a, invs[0], -10, domain.PaymentInProgress)
		// want holds the live ones created at -30, -20 and -10 minutes.

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.LivePayments(t.Context(), 10)
			require.NoError(t, err)
			assert.Equal(t, want, paymentIDs(got))
			got, err = tx.LivePayments(t.Context(), 2)
			require.NoError(t, err)
			assert.Equal(t, want[:2], paymentIDs(got), "the limit keeps the oldest")
		})

		require.True(t, last.Expire(last.CreatedAt.Add(time.Hour)))
		MustSavePayment(t, s, last)
		got, err := s.LivePayments(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, want[:2], paymentIDs(got), "a payment saved in a final state is no longer live")
	}},
}

// pollFixture saves, through s, attempts in every state around at: the
// ones HeldPayments and EndedUnpaidPayments must find, and the ones they
// must not.
type pollFixture struct {
	at    time.Time
	held  []uuid.UUID // by LockedUntil
	ended []uuid.UUID // by FinishedAt, since at-48h
}

func savePollFixture(t *testing.T, s ports.Store) pollFixture {
	t.Helper()
	b, a, invs := payerWithInvoices(t, s, 1)
	f := pollFixture{at: Epoch.Add(30 * time.Hour)}
	add := func(state domain.PaymentState, op string, saisie domain.Saisie, lockLeft, endedAgo time.Duration) domain.Payment {
		p := NewPayment(t, b, a, invs[0])
		p.State, p.OperationID, p.Saisie = state, op, saisie
		if op != "" {
			p.OperationID = op + "-" + p.Refdet
		}
		p.LockedUntil = f.at.Add(lockLeft)
		p.CreatedAt = p.LockedUntil.Add(-2 * time.Hour)
		if state.Final() {
			p.FinishedAt = f.at.Add(-endedAgo)
		}
		MustSavePayment(t, s, p)
		return p
	}
	w := domain.SaisieProduction
	h2 := add(domain.PaymentExpired, "op", w, 90*time.Minute, 10*time.Minute)
	h1 := add(domain.PaymentAbandoned, "op", domain.SaisieActivation, 30*time.Minute, 5*time.Minute)
	f.held = []uuid.UUID{h1.ID, h2.ID}
	add(domain.PaymentExpired, "op", domain.SaisieTest, time.Hour, time.Minute) // test: released at once
	add(domain.PaymentExpired, "", w, time.Hour, 2*time.Minute)                 // URL mode: nothing to ask
	late := add(domain.PaymentRefused, "op", w, time.Hour, 3*time.Minute)       // released at once, nightly only
	add(domain.PaymentInProgress, "op", w, time.Hour, 0)                        // live: LivePayments
	add(domain.PaymentPaid, "op", w, time.Hour, 4*time.Minute)                  // paid
	old := add(domain.PaymentAbandoned, "op", w, -time.Minute, 40*time.Hour)    // hold over
	add(domain.PaymentExpired, "op", w, -20*time.Hour, 49*time.Hour)            // hold over, ended too long ago
	add(domain.PaymentFailed, "", w, -time.Hour, time.Hour)                     // never reached PayFiP
	add(domain.PaymentTest, "op", domain.SaisieTest, -time.Hour, time.Hour)     // test
	refused := add(domain.PaymentRefused, "op", domain.SaisieActivation, -time.Hour, 20*time.Hour)
	f.ended = []uuid.UUID{old.ID, refused.ID, h2.ID, h1.ID, late.ID}
	return f
}

var pollTests = []storeTest{
	{"every payment state is stored, in the payment and in its timeline", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 1)
		for i, state := range domain.PaymentStates {
			p := NewPayment(t, b, a, invs[0])
			p.State = state
			MustSavePayment(t, s, p)
			got, err := s.Payment(ctx, p.ID)
			require.NoError(t, err)
			assert.Equal(t, state, got.State)
			e := fullPaymentEvent(t, p, Epoch.Add(time.Duration(i)*time.Minute))
			e.State = state
			require.NoError(t, s.SavePaymentEvent(ctx, e), "state %s", state)
			events, err := s.PaymentEvents(ctx, p.ID)
			require.NoError(t, err)
			require.Len(t, events, 1)
			assert.Equal(t, state, events[0].State)
		}
	}},
	{"HeldPayments lists the attempts over but still holding their invoices, with an operation, outside test, by end of hold", func(t *testing.T, s ports.Store) {
		f := savePollFixture(t, s)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.HeldPayments(t.Context(), f.at, 10)
			require.NoError(t, err)
			assert.Equal(t, f.held, paymentIDs(got))
			got, err = tx.HeldPayments(t.Context(), f.at, 1)
			require.NoError(t, err)
			assert.Equal(t, f.held[:1], paymentIDs(got), "the limit keeps the first to end")
			got, err = tx.HeldPayments(t.Context(), f.at.Add(time.Hour), 10)
			require.NoError(t, err)
			assert.Equal(t, f.held[1:], paymentIDs(got), "a hold that ended is no longer listed")
		})
	}},
	{"EndedUnpaidPayments lists the refused, abandoned and expired attempts with an operation, outside test, ended since, by end", func(t *testing.T, s ports.Store) {
		f := savePollFixture(t, s)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.EndedUnpaidPayments(t.Context(), f.at.Add(-48*time.Hour), 100)
			require.NoError(t, err)
			assert.Equal(t, f.ended, paymentIDs(got), "oldest end first")
			for _, p := range got {
				assert.NotEqual(t, domain.SaisieTest, p.Saisie)
				assert.NotEmpty(t, p.OperationID)
				assert.Contains(t, []domain.PaymentState{domain.PaymentRefused, domain.PaymentAbandoned, domain.PaymentExpired}, p.State)
				assert.False(t, p.FinishedAt.Before(f.at.Add(-48*time.Hour)))
			}
			got, err = tx.EndedUnpaidPayments(t.Context(), f.at.Add(-48*time.Hour), 1)
			require.NoError(t, err)
			assert.Equal(t, f.ended[:1], paymentIDs(got))
		})
	}},
}

var paymentEventTests = []storeTest{
	{"PaymentEvents returns a payment's timeline with every field, oldest first then by id", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 2)
		p1, p2 := NewPayment(t, b, acc, invs[0]), NewPayment(t, b, acc, invs[1])
		MustSavePayment(t, s, p1)
		MustSavePayment(t, s, p2)
		first := fullPaymentEvent(t, p1, at(0))
		first.State = domain.PaymentCreated
		later := fullPaymentEvent(t, p1, at(time.Minute))
		tie1, tie2 := fullPaymentEvent(t, p1, at(30*time.Second)), fullPaymentEvent(t, p1, at(30*time.Second))
		if tie2.ID.String() < tie1.ID.String() {
			tie1, tie2 = tie2, tie1
		}
		for _, e := range []domain.PaymentEvent{later, tie2, first, tie1, fullPaymentEvent(t, p2, at(0))} {
			require.NoError(t, s.SavePaymentEvent(ctx, e))
		}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.PaymentEvents(ctx, p1.ID)
			require.NoError(t, err)
			want := []domain.PaymentEvent{first, tie1, tie2, later}
			require.Len(t, got, len(want))
			for i := range want {
				AssertSame(t, want[i], got[i], "event %d", i)
			}
			none, err := tx.PaymentEvents(ctx, uuid.New())
			require.NoError(t, err)
			assert.Empty(t, none)
		})
	}},
	{"AppendPaymentEvent adds after the last step, skips a repeat of it, and orders a step of the same instant after it", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 2)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			p, other := NewPayment(t, b, acc, invs[0]), NewPayment(t, b, acc, invs[1])
			MustSavePayment(t, tx, p)
			MustSavePayment(t, tx, other)
			first := fullPaymentEvent(t, p, at(time.Minute))
			first.State, first.Code, first.Detail = domain.PaymentCreated, "", "Paiement créé."
			added, err := tx.AppendPaymentEvent(ctx, first)
			require.NoError(t, err)
			assert.True(t, added, "the first step")
			// Another payment's timeline is not this one's.
			added, err = tx.AppendPaymentEvent(ctx, fullPaymentEvent(t, other, at(time.Hour)))
			require.NoError(t, err)
			assert.True(t, added)

			again := first
			again.ID, again.At = uuid.New(), at(2*time.Minute)
			added, err = tx.AppendPaymentEvent(ctx, again)
			require.NoError(t, err)
			assert.False(t, added, "the same state, code and detail as the last step")

			paid := fullPaymentEvent(t, p, at(30*time.Second)) // before the last step
			added, err = tx.AppendPaymentEvent(ctx, paid)
			require.NoError(t, err)
			assert.True(t, added)
			sameInstant := fullPaymentEvent(t, p, at(time.Minute))
			sameInstant.Code = "P2"
			added, err = tx.AppendPaymentEvent(ctx, sameInstant)
			require.NoError(t, err)
			assert.True(t, added)
			repeatOfEarlier := first
			repeatOfEarlier.ID, repeatOfEarlier.At = uuid.New(), at(3*time.Minute)
			added, err = tx.AppendPaymentEvent(ctx, repeatOfEarlier)
			require.NoError(t, err)
			assert.True(t, added, "a step like an earlier one but not the last is added")

			got, err := tx.PaymentEvents(ctx, p.ID)
			require.NoError(t, err)
			require.Len(t, got, 4)
			paid.At = at(time.Minute + time.Microsecond)
			sameInstant.At = at(time.Minute + 2*time.Microsecond)
			for i, want := range []domain.PaymentEvent{first, paid, sameInstant, repeatOfEarlier} {
				AssertSame(t, want, got[i], "event %d", i)
			}
		})
	}},
	{"SavePaymentStep saves the payment with every field, its changed invoices whole and its event, and skips an event that repeats the last step", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 2)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			p := fullPayment(t, NewPayment(t, b, acc, invs...))
			changed := []domain.Invoice{fullInvoice(t, invs[0], p.ID), fullInvoice(t, invs[1], p.ID)}
			e := fullPaymentEvent(t, p, at(time.Minute))
			before, err := tx.OutboxCounts(ctx)
			require.NoError(t, err)
			mails := []ports.OutboxMail{outboxMail(t, "a@exemple.fr", at(time.Minute)), outboxMail(t, "b@exemple.fr", at(time.Minute))}
			added, err := tx.SavePaymentStep(ctx, ports.PaymentStep{Payment: p, Invoices: changed, Event: &e, Mails: mails})
			require.NoError(t, err)
			assert.True(t, added)
			after, err := tx.OutboxCounts(ctx)
			require.NoError(t, err)
			assert.Equal(t, before.Pending+2, after.Pending, "the step's mails are queued")
			got, err := tx.Payment(ctx, p.ID)
			require.NoError(t, err)
			AssertSame(t, p, got)
			for _, want := range changed {
				inv, err := tx.Invoice(ctx, want.ID)
				require.NoError(t, err)
				AssertSame(t, want, inv, "invoice %s", want.Number)
			}
			events, err := tx.PaymentEvents(ctx, p.ID)
			require.NoError(t, err)
			require.Len(t, events, 1)
			AssertSame(t, e, events[0])

			// The next step: the payment changes, no invoice, the same
			// event as the last step (not added), then none at all.
			p.Anomaly, p.UpdatedAt = "Anomalie de test.", p.UpdatedAt.Add(time.Minute)
			again := e
			again.ID, again.At = uuid.New(), at(2*time.Minute)
			added, err = tx.SavePaymentStep(ctx, ports.PaymentStep{Payment: p, Event: &again})
			require.NoError(t, err)
			assert.False(t, added, "a repeat of the last step")
			p.LastCode = "Z9"
			added, err = tx.SavePaymentStep(ctx, ports.PaymentStep{Payment: p})
			require.NoError(t, err)
			assert.False(t, added, "no event")
			got, err = tx.Payment(ctx, p.ID)
			require.NoError(t, err)
			AssertSame(t, p, got)
			events, err = tx.PaymentEvents(ctx, p.ID)
			require.NoError(t, err)
			assert.Len(t, events, 1)
		})
	}},
	{"SavePaymentStep with Was writes only while the stored payment is still as it was read", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 1)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			read := NewPayment(t, b, acc, invs...)
			MustSavePayment(t, tx, read)
			begun := read
			begun.State, begun.OperationID, begun.UpdatedAt = domain.PaymentInProgress, "op-"+read.Refdet, read.UpdatedAt.Add(time.Second)
			e := fullPaymentEvent(t, begun, at(time.Minute))
			e.State = domain.PaymentInProgress
			added, err := tx.SavePaymentStep(ctx, ports.PaymentStep{Payment: begun, Event: &e, Was: &read})
			require.NoError(t, err)
			assert.True(t, added)
			got, err := tx.Payment(ctx, read.ID)
			require.NoError(t, err)
			AssertSame(t, begun, got)

			// read is stale now: nothing is written.
			closed := read
			closed.State, closed.UpdatedAt = domain.PaymentFailed, read.UpdatedAt.Add(2*time.Second)
			late := fullPaymentEvent(t, closed, at(2*time.Minute))
			_, err = tx.SavePaymentStep(ctx, ports.PaymentStep{Payment: closed, Event: &late, Was: &read})
			require.ErrorIs(t, err, ports.ErrPaymentChanged)
			got, err = tx.Payment(ctx, read.ID)
			require.NoError(t, err)
			AssertSame(t, begun, got, "unchanged")
			events, err := tx.PaymentEvents(ctx, read.ID)
			require.NoError(t, err)
			require.Len(t, events, 1)
			assert.Equal(t, e.ID, events[0].ID)

			// The same updated time but another state is a change too.
			sameTime := begun
			sameTime.State = domain.PaymentCreated
			_, err = tx.SavePaymentStep(ctx, ports.PaymentStep{Payment: closed, Was: &sameTime})
			require.ErrorIs(t, err, ports.ErrPaymentChanged)
		})
	}},
	{"SavePaymentStep writes nothing when a part of it is refused", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 2)
		p := NewPayment(t, b, acc, invs[0])
		dup := invs[0]
		dup.Number = invs[1].Number // another invoice's number
		e := fullPaymentEvent(t, p, at(time.Minute))
		mail := outboxMail(t, "a@exemple.fr", at(time.Minute))
		_, err := s.SavePaymentStep(ctx, ports.PaymentStep{Payment: p, Invoices: []domain.Invoice{dup}, Event: &e, Mails: []ports.OutboxMail{mail}})
		requireConflict(t, err, "SavePaymentStep with an invoice taking another's number")
		c, err := s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Zero(t, c.Pending, "no mail queued")
		_, err = s.Payment(ctx, p.ID)
		requireNotFound(t, err, "the payment of the refused step")
		events, err := s.PaymentEvents(ctx, p.ID)
		require.NoError(t, err)
		assert.Empty(t, events)
		inv, err := s.Invoice(ctx, invs[0].ID)
		require.NoError(t, err)
		AssertSame(t, invs[0], inv)

		other := NewPayment(t, b, acc, invs[1])
		MustSavePayment(t, s, other)
		clash := NewPayment(t, b, acc, invs[0])
		clash.Refdet = other.Refdet
		_, err = s.SavePaymentStep(ctx, ports.PaymentStep{Payment: clash, Event: &e})
		requireConflict(t, err, "SavePaymentStep with another payment's refdet")
	}},
	{"a payment and its first event save in one transaction", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 1)
		p := NewPayment(t, b, acc, invs...)
		e := fullPaymentEvent(t, p, at(0))
		inTx(t, s, func(tx ports.Tx) {
			MustSavePayment(t, tx, p)
			require.NoError(t, tx.SavePaymentEvent(ctx, e))
		})
		got, err := s.PaymentEvents(ctx, p.ID)
		require.NoError(t, err)
		require.Len(t, got, 1)
		AssertSame(t, e, got[0])
	}},
}
