package portstest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's records (ports.StaffStore, APIKeyStore, AuditStore,
// DocumentStore, JobRuns, BillerByHost); its searches are in
// store_suite_search.go.

// requireConflictOn requires a Conflict error about field.
func requireConflictOn(t *testing.T, field string, err error, what string) {
	t.Helper()
	requireConflict(t, err, what)
	var de *domain.Error
	require.True(t, errors.As(err, &de), what)
	assert.Equal(t, field, de.Field, what)
	assert.NotEmpty(t, de.Message, "%s: a message for the reader", what)
}

// twoBillers saves two fresh billers through tx.
func twoBillers(t *testing.T, tx ports.Tx) (domain.Biller, domain.Biller) {
	t.Helper()
	a, b := NewBiller(t), NewBiller(t)
	b.Name = "Cantine de Testville"
	MustSaveBiller(t, tx, a)
	MustSaveBiller(t, tx, b)
	return a, b
}

var hostTests = []storeTest{
	{"BillerByHost finds the biller of each of its hosts, and a save replaces the set of hosts", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := fullBiller(t)
			MustSaveBiller(t, tx, b)
			for _, h := range b.Hosts {
				got, err := tx.BillerByHost(ctx, h)
				require.NoError(t, err, h)
				AssertSame(t, b, got, h)
			}
			old := b.Hosts
			b.Hosts = []string{"autre-" + old[1], old[0]}
			MustSaveBiller(t, tx, b)
			got, err := tx.Biller(ctx, b.ID)
			require.NoError(t, err)
			assert.Equal(t, b.Hosts, got.Hosts, "the hosts keep their order")
			_, err = tx.BillerByHost(ctx, old[1])
			requireNotFound(t, err, "a host the biller no longer has")
			got, err = tx.BillerByHost(ctx, b.Hosts[0])
			require.NoError(t, err)
			assert.Equal(t, b.ID, got.ID)

			_, err = tx.BillerByHost(ctx, "inconnu.factures.test")
			requireNotFound(t, err, "an unknown host")
			_, err = tx.BillerByHost(ctx, "")
			requireNotFound(t, err, "the empty host")
		})
	}},
	{"a host belongs to one biller: taking another's is a Conflict on hosts that saves nothing", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a := fullBiller(t)
		MustSaveBiller(t, s, a)
		b := NewBiller(t)
		b.Hosts = []string{"libre.factures.test", a.Hosts[1]}
		requireConflictOn(t, "hosts", s.SaveBiller(ctx, b), "SaveBiller of a new biller with a taken host")
		_, err := s.Biller(ctx, b.ID)
		requireNotFound(t, err, "the biller of the refused save")
		_, err = s.BillerByHost(ctx, "libre.factures.test")
		requireNotFound(t, err, "the free host of the refused save")

		err = s.Atomic(ctx, func(tx ports.Tx) error {
			b.Hosts = []string{a.Hosts[0]}
			return tx.SaveBiller(ctx, b)
		})
		requireConflictOn(t, "hosts", err, "SaveBiller with a taken host in a transaction")

		b.Hosts = []string{"libre.factures.test"}
		MustSaveBiller(t, s, b)
		b.Hosts = append(b.Hosts, a.Hosts[0])
		requireConflictOn(t, "hosts", s.SaveBiller(ctx, b), "SaveBiller of an existing biller with a taken host")
		got, err := s.Biller(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"libre.factures.test"}, got.Hosts, "the refused save changed nothing")

		a.Hosts = a.Hosts[1:]
		MustSaveBiller(t, s, a)
		MustSaveBiller(t, s, b) // the host a let go
		got, err = s.BillerByHost(ctx, b.Hosts[1])
		require.NoError(t, err)
		assert.Equal(t, b.ID, got.ID)
	}},
}

var staffTests = []storeTest{
	{"a saved staff member reads back with every field by id and by email, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := NewBiller(t)
			MustSaveBiller(t, tx, b)
			st := fullStaff(t, b, "agnes@testville.fr")
			require.NoError(t, tx.SaveStaff(ctx, st))
			got, err := tx.Staff(ctx, st.ID)
			require.NoError(t, err)
			AssertSame(t, st, got)
			got, err = tx.StaffByEmail(ctx, b.ID, "  Agnes@TestVille.fr ")
			require.NoError(t, err, "the address is normalised")
			AssertSame(t, st, got)

			sparse := sparseStaff(st)
			require.NoError(t, tx.SaveStaff(ctx, sparse))
			got, err = tx.Staff(ctx, st.ID)
			require.NoError(t, err)
			AssertSame(t, sparse, got)
		})
	}},
	{"a missing staff member is NotFound, and an address is looked up within its biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		require.NoError(t, s.SaveStaff(ctx, fullStaff(t, a, "agnes@testville.fr")))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.Staff(ctx, uuid.New())
			requireNotFound(t, err, "Staff")
			_, err = tx.StaffByEmail(ctx, b.ID, "agnes@testville.fr")
			requireNotFound(t, err, "StaffByEmail in another biller")
			_, err = tx.StaffByEmail(ctx, a.ID, "")
			requireNotFound(t, err, "StaffByEmail of the empty address")
		})
	}},
	{"two staff members of a biller cannot share an address; two billers can", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		first := fullStaff(t, a, "agnes@testville.fr")
		require.NoError(t, s.SaveStaff(ctx, first))
		require.NoError(t, s.SaveStaff(ctx, first), "saving the same member again")
		requireConflictOn(t, "email", s.SaveStaff(ctx, fullStaff(t, a, "agnes@testville.fr")), "SaveStaff")
		err := s.Atomic(ctx, func(tx ports.Tx) error { return tx.SaveStaff(ctx, fullStaff(t, a, "agnes@testville.fr")) })
		requireConflictOn(t, "email", err, "SaveStaff in a transaction")
		require.NoError(t, s.SaveStaff(ctx, fullStaff(t, b, "agnes@testville.fr")), "the same address in another biller")
		list, err := s.StaffMembers(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, first.ID, list[0].ID)
	}},
	{"StaffMembers lists the biller's staff by email, and only theirs", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		// Byte order: "b.martin" before "bernard", whatever a locale says.
		emails := []string{"albert@testville.fr", "b.martin@testville.fr", "bernard@testville.fr", "zoe@testville.fr"}
		want := make([]uuid.UUID, len(emails))
		for _, i := range []int{2, 0, 3, 1} {
			st := fullStaff(t, a, emails[i])
			want[i] = st.ID
			require.NoError(t, s.SaveStaff(ctx, st))
		}
		require.NoError(t, s.SaveStaff(ctx, fullStaff(t, b, "aaron@cantine.fr")))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			list, err := tx.StaffMembers(ctx, a.ID)
			require.NoError(t, err)
			got := make([]uuid.UUID, len(list))
			for i, st := range list {
				got[i] = st.ID
			}
			assert.Equal(t, want, got)
			none, err := tx.StaffMembers(ctx, uuid.New())
			require.NoError(t, err)
			assert.Empty(t, none)
		})
	}},
}

var apiKeyTests = []storeTest{
	{"a saved API key reads back with every field by id and by hash, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := NewBiller(t)
			MustSaveBiller(t, tx, b)
			k := fullAPIKey(t, b)
			require.NoError(t, tx.SaveAPIKey(ctx, k))
			got, err := tx.APIKey(ctx, k.ID)
			require.NoError(t, err)
			AssertSame(t, k, got)
			got, err = tx.APIKeyByHash(ctx, k.Hash)
			require.NoError(t, err, "a revoked key is found by its hash")
			AssertSame(t, k, got)

			k.RevokedAt, k.LastUsedAt = time.Time{}, time.Time{}
			require.NoError(t, tx.SaveAPIKey(ctx, k))
			got, err = tx.APIKeyByHash(ctx, k.Hash)
			require.NoError(t, err)
			AssertSame(t, k, got)
		})
	}},
	{"a missing API key is NotFound, and a hash belongs to one key", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		k := fullAPIKey(t, a)
		require.NoError(t, s.SaveAPIKey(ctx, k))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.APIKey(ctx, uuid.New())
			requireNotFound(t, err, "APIKey")
			_, err = tx.APIKeyByHash(ctx, domain.HashSecret("pdf_inconnue"))
			requireNotFound(t, err, "APIKeyByHash")
			_, err = tx.APIKeyByHash(ctx, "")
			requireNotFound(t, err, "APIKeyByHash of the empty hash")
		})
		other := fullAPIKey(t, b)
		other.Hash = k.Hash
		requireConflict(t, s.SaveAPIKey(ctx, other), "SaveAPIKey of another key with the same hash")
	}},
	{"APIKeys lists the biller's keys oldest first, revoked ones included, and only theirs", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		var want []uuid.UUID
		for i, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour} {
			k := fullAPIKey(t, a)
			k.CreatedAt = at(d)
			if i == 0 {
				k.RevokedAt = time.Time{}
			}
			require.NoError(t, s.SaveAPIKey(ctx, k))
			want = append(want, k.ID)
		}
		want = []uuid.UUID{want[1], want[2], want[0]}
		require.NoError(t, s.SaveAPIKey(ctx, fullAPIKey(t, b)))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			list, err := tx.APIKeys(ctx, a.ID)
			require.NoError(t, err)
			got := make([]uuid.UUID, len(list))
			for i, k := range list {
				got[i] = k.ID
			}
			assert.Equal(t, want, got)
			none, err := tx.APIKeys(ctx, uuid.New())
			require.NoError(t, err)
			assert.Empty(t, none)
		})
	}},
}

var documentTests = []storeTest{
	{"a saved document reads back byte for byte, and a save of the same name replaces it", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a, b := twoBillers(t, tx)
			d := fullDocument(t, a, "2024-0001")
			require.NoError(t, tx.SaveDocument(ctx, d))
			got, err := tx.Document(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, d, got)

			other := fullDocument(t, b, "2024-0001")
			other.Data = append(other.Data, "autre service"...)
			require.NoError(t, tx.SaveDocument(ctx, other), "the same name in another biller")

			newer := fullDocument(t, a, "2024-0001")
			newer.Data = []byte("%PDF-1.4 version corrigée")
			newer.SHA256 = domain.HashSecret(string(newer.Data))
			newer.CreatedAt = at(5 * time.Hour)
			require.NoError(t, tx.SaveDocument(ctx, newer))
			got, err = tx.Document(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, newer, got)
			got, err = tx.Document(ctx, b.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, other, got, "the other biller's document is untouched")
		})
	}},
	{"a missing document is NotFound, and a name is looked up within its biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		require.NoError(t, s.SaveDocument(ctx, fullDocument(t, a, "2024-0001")))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.Document(ctx, b.ID, "2024-0001")
			requireNotFound(t, err, "Document of another biller")
			_, err = tx.Document(ctx, a.ID, "2024-0002")
			requireNotFound(t, err, "Document")
			_, err = tx.DocumentInfo(ctx, b.ID, "2024-0001")
			requireNotFound(t, err, "DocumentInfo of another biller")
			_, err = tx.DocumentInfo(ctx, a.ID, "2024-0002")
			requireNotFound(t, err, "DocumentInfo")
		})
	}},
	{"DocumentInfo describes a saved document, its size in bytes included, and follows a replacement", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a, b := twoBillers(t, tx)
			d := fullDocument(t, a, "2024-0001")
			require.NoError(t, tx.SaveDocument(ctx, d))
			other := fullDocument(t, b, "2024-0001")
			other.Data = append(other.Data, "autre service"...)
			require.NoError(t, tx.SaveDocument(ctx, other))
			got, err := tx.DocumentInfo(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, ports.DocumentInfo{Name: d.Name, SHA256: d.SHA256, Size: len(d.Data), CreatedAt: d.CreatedAt}, got)

			big := fullDocument(t, a, "2024-0001")
			noise := make([]byte, 300<<10) // incompressible: a SQL store keeps it out of line
			_, _ = NewSeqRandom(1).Read(noise)
			big.Data = append([]byte("%PDF-1.7\n"), noise...)
			big.SHA256 = domain.HashSecret(string(big.Data))
			big.CreatedAt = at(5 * time.Hour)
			require.NoError(t, tx.SaveDocument(ctx, big))
			got, err = tx.DocumentInfo(ctx, a.ID, d.Name)
			require.NoError(t, err)
			AssertSame(t, ports.DocumentInfo{Name: big.Name, SHA256: big.SHA256, Size: len(big.Data), CreatedAt: big.CreatedAt}, got)
			got, err = tx.DocumentInfo(ctx, b.ID, d.Name)
			require.NoError(t, err)
			assert.Equal(t, len(other.Data), got.Size, "the other biller's document")
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

var claimRunTests = []storeTest{
	{"ClaimRun returns true once per job and key, then false", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		claim := func(tx ports.Tx, job, key string) bool {
			t.Helper()
			ok, err := tx.ClaimRun(ctx, job, key, at(0))
			require.NoError(t, err)
			return ok
		}
		assert.True(t, claim(s, "treasury", "2026-11-26"), "first claim")
		assert.False(t, claim(s, "treasury", "2026-11-26"), "second claim")
		inTx(t, s, func(tx ports.Tx) {
			assert.False(t, claim(tx, "treasury", "2026-11-26"), "claim in a transaction")
			assert.True(t, claim(tx, "treasury", "2026-11-27"), "another day")
			assert.False(t, claim(tx, "treasury", "2026-11-27"), "the same day again, in the same transaction")
		})
		assert.True(t, claim(s, "reminders", "2026-11-26"), "another job, the same day")
		assert.False(t, claim(s, "treasury", "2026-11-27"), "the claim of the committed transaction stays")
	}},
	{"a claim in a transaction rolled back is no claim", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		errStop := fmt.Errorf("stop")
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			ok, err := tx.ClaimRun(ctx, "treasury", "2026-11-26", at(0))
			require.NoError(t, err)
			require.True(t, ok)
			return errStop
		})
		require.ErrorIs(t, err, errStop)
		ok, err := s.ClaimRun(ctx, "treasury", "2026-11-26", at(time.Minute))
		require.NoError(t, err)
		assert.True(t, ok)
	}},
}
