package portstest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The staff (ports.StaffStore): the members, their role and their links
// (StaffToken, OpenStaffTokens, SaveStaffToken), managed by the biller's
// administrators.

// newStaffToken returns an open link of st for purpose, created at Epoch
// and valid for an hour.
func newStaffToken(tb testing.TB, st domain.Staff, purpose domain.TokenPurpose) domain.Token {
	tb.Helper()
	random := make([]byte, domain.TokenBytes)
	_, _ = rand.Read(random) // never fails (crypto/rand)
	t, _, err := domain.NewToken(random, st.ID, purpose, Epoch, time.Hour)
	if err != nil {
		tb.Fatalf("portstest: staff token: %v", err)
	}
	return t
}

// saveStaffOf saves a fresh biller and a staff member of it through tx.
func saveStaffOf(t *testing.T, tx ports.Tx, email string) domain.Staff {
	t.Helper()
	b := NewBiller(t)
	MustSaveBiller(t, tx, b)
	st := fullStaff(t, b, email)
	require.NoError(t, tx.SaveStaff(t.Context(), st))
	return st
}

var staffAdminTests = []storeTest{
	{"an administrator is saved and read back with its role", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := NewBiller(t)
			MustSaveBiller(t, tx, b)
			st := fullStaff(t, b, "admin@testville.fr")
			st.Role = domain.RoleAdmin
			require.NoError(t, tx.SaveStaff(ctx, st))
			got, err := tx.Staff(ctx, st.ID)
			require.NoError(t, err)
			AssertSame(t, st, got)
		})
	}},
	{"a saved staff link reads back with every field by its hash, and a save replaces it", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			st := saveStaffOf(t, tx, "agnes@testville.fr")
			tok := newStaffToken(t, st, domain.TokenStaffReset)
			tok.CreatedAt = at(0)
			tok.UsedAt = at(time.Minute)
			tok.RevokedAt = at(2 * time.Minute)
			require.NoError(t, tx.SaveStaffToken(ctx, tok))
			got, err := tx.StaffToken(ctx, tok.Hash)
			require.NoError(t, err)
			AssertSame(t, tok, got)

			open := tok
			open.UsedAt, open.RevokedAt = time.Time{}, time.Time{}
			require.NoError(t, tx.SaveStaffToken(ctx, open))
			got, err = tx.StaffToken(ctx, tok.Hash)
			require.NoError(t, err)
			AssertSame(t, open, got)
		})
	}},
	{"staff links and citizens' tokens are apart; a missing one is NotFound", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		st := saveStaffOf(t, s, "agnes@testville.fr")
		tok := newStaffToken(t, st, domain.TokenStaffInvite)
		require.NoError(t, s.SaveStaffToken(ctx, tok))
		a := saveAccount(t, s)
		citizen, _ := NewToken(t, a, domain.TokenReset)
		MustSaveToken(t, s, citizen)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.StaffToken(ctx, domain.HashSecret("inconnu"))
			requireNotFound(t, err, "StaffToken")
			_, err = tx.Token(ctx, tok.Hash)
			requireNotFound(t, err, "Token of a staff link")
			_, err = tx.StaffToken(ctx, citizen.Hash)
			requireNotFound(t, err, "StaffToken of a citizen's token")
		})
	}},
	{"OpenStaffTokens lists the member's links of the purpose neither used nor revoked, expired ones included", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		st := saveStaffOf(t, s, "agnes@testville.fr")
		other := saveStaffOf(t, s, "bernard@testville.fr")
		var want []string
		token := func(st domain.Staff, purpose domain.TokenPurpose, change func(*domain.Token), open bool) domain.Token {
			tok := newStaffToken(t, st, purpose)
			change(&tok)
			require.NoError(t, s.SaveStaffToken(ctx, tok))
			if open {
				want = append(want, tok.Hash)
			}
			return tok
		}
		keep := func(*domain.Token) {}
		first := token(st, domain.TokenStaffReset, keep, true)
		token(st, domain.TokenStaffReset, func(t *domain.Token) { t.ExpiresAt = Epoch.Add(-time.Hour) }, true)
		token(st, domain.TokenStaffReset, func(t *domain.Token) { t.UsedAt = Epoch }, false)
		token(st, domain.TokenStaffReset, func(t *domain.Token) { t.RevokedAt = Epoch }, false)
		token(st, domain.TokenStaffInvite, keep, false)
		token(other, domain.TokenStaffReset, keep, false)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			open, err := tx.OpenStaffTokens(ctx, st.ID, domain.TokenStaffReset)
			require.NoError(t, err)
			got := make([]string, len(open))
			for i, tok := range open {
				got[i] = tok.Hash
				assert.Equal(t, st.ID, tok.AccountID)
			}
			assert.ElementsMatch(t, want, got)
		})

		first.Revoke(Epoch)
		require.NoError(t, s.SaveStaffToken(ctx, first))
		open, err := s.OpenStaffTokens(ctx, st.ID, domain.TokenStaffReset)
		require.NoError(t, err)
		assert.Len(t, open, 1, "a link revoked by a save is no longer open")
	}},
	{"a staff link saved in a failed transaction is not kept", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		st := saveStaffOf(t, s, "agnes@testville.fr")
		tok := newStaffToken(t, st, domain.TokenStaffReset)
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			require.NoError(t, tx.SaveStaffToken(ctx, tok))
			return errAbort
		})
		require.ErrorIs(t, err, errAbort)
		_, err = s.StaffToken(ctx, tok.Hash)
		requireNotFound(t, err, "StaffToken after a rollback")
		open, err := s.OpenStaffTokens(ctx, st.ID, domain.TokenStaffReset)
		require.NoError(t, err)
		assert.Empty(t, open)
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
