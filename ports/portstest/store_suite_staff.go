package portstest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Staff managed by the biller's administrators: the role and the staff
// members' links (ports.StaffStore StaffToken, OpenStaffTokens,
// SaveStaffToken).

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
