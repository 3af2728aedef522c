package portstest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var payerTests = []storeTest{
	{"a saved payer reads back with every field by id, reference and email, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := NewBiller(t)
			MustSaveBiller(t, tx, b)
			p := fullPayer(t, b, "REF-001")
			MustSavePayer(t, tx, p)
			for name, read := range map[string]func() (domain.Payer, error){
				"Payer":        func() (domain.Payer, error) { return tx.Payer(ctx, p.ID) },
				"PayerByRef":   func() (domain.Payer, error) { return tx.PayerByRef(ctx, b.ID, p.ExternalRef) },
				"PayerByEmail": func() (domain.Payer, error) { return tx.PayerByEmail(ctx, b.ID, p.Email) },
			} {
				got, err := read()
				require.NoError(t, err, name)
				AssertSame(t, p, got, name)
			}

			sparse := p
			sparse.Email, sparse.Paperless, sparse.PaperlessRequestedAt = "", false, time.Time{}
			MustSavePayer(t, tx, sparse)
			got, err := tx.Payer(ctx, p.ID)
			require.NoError(t, err)
			AssertSame(t, sparse, got)
			_, err = tx.PayerByEmail(ctx, b.ID, p.Email)
			requireNotFound(t, err, "PayerByEmail of the address the payer no longer has")
		})
	}},
	{"a missing payer is NotFound", func(t *testing.T, s ports.Store) {
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		noEmail := NewPayer(t, b, "SANS-EMAIL")
		noEmail.Email = ""
		MustSavePayer(t, s, noEmail)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			_, err := tx.Payer(ctx, uuid.New())
			requireNotFound(t, err, "Payer")
			_, err = tx.PayerByRef(ctx, b.ID, "INCONNU")
			requireNotFound(t, err, "PayerByRef")
			_, err = tx.PayerByEmail(ctx, b.ID, "inconnu@exemple.fr")
			requireNotFound(t, err, "PayerByEmail")
			_, err = tx.PayerByEmail(ctx, b.ID, "")
			requireNotFound(t, err, "PayerByEmail of the empty address, though a payer has none")
		})
	}},
	{"lookups by reference and email stay within the biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b1, b2 := NewBiller(t), NewBiller(t)
		MustSaveBiller(t, s, b1)
		MustSaveBiller(t, s, b2)
		p := NewPayer(t, b1, "REF-001")
		MustSavePayer(t, s, p)
		_, err := s.PayerByRef(ctx, b2.ID, p.ExternalRef)
		requireNotFound(t, err, "PayerByRef in another biller")
		_, err = s.PayerByEmail(ctx, b2.ID, p.Email)
		requireNotFound(t, err, "PayerByEmail in another biller")
	}},
	{"the external reference is unique within a biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p1 := NewPayer(t, b, "REF-001")
		MustSavePayer(t, s, p1)
		p2 := NewPayer(t, b, "REF-002")
		p2.ExternalRef = p1.ExternalRef
		requireConflict(t, s.SavePayer(ctx, p2), "SavePayer with another payer's reference")
		_, err := s.Payer(ctx, p2.ID)
		requireNotFound(t, err, "the refused payer")
		got, err := s.PayerByRef(ctx, b.ID, p1.ExternalRef)
		require.NoError(t, err)
		assert.Equal(t, p1.ID, got.ID, "the reference still finds the first payer")
	}},
	{"the email is unique within a biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p1, p2 := NewPayer(t, b, "REF-001"), NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, p1)
		MustSavePayer(t, s, p2)
		p2.Email = p1.Email
		requireConflict(t, s.SavePayer(ctx, p2), "SavePayer with another payer's email")
		got, err := s.Payer(ctx, p2.ID)
		require.NoError(t, err)
		assert.Equal(t, "ref-002@exemple.fr", got.Email, "the refused save changed nothing")
	}},
	{"payers without email do not conflict", func(t *testing.T, s ports.Store) {
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		for _, ref := range []string{"REF-001", "REF-002"} {
			p := NewPayer(t, b, ref)
			p.Email = ""
			MustSavePayer(t, s, p)
		}
	}},
	{"the same reference and email are allowed in two billers", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b1, b2 := NewBiller(t), NewBiller(t)
		MustSaveBiller(t, s, b1)
		MustSaveBiller(t, s, b2)
		p1, p2 := NewPayer(t, b1, "REF-001"), NewPayer(t, b2, "REF-001")
		MustSavePayer(t, s, p1)
		MustSavePayer(t, s, p2)
		got, err := s.PayerByRef(ctx, b2.ID, "REF-001")
		require.NoError(t, err)
		assert.Equal(t, p2.ID, got.ID)
		got, err = s.PayerByEmail(ctx, b1.ID, p1.Email)
		require.NoError(t, err)
		assert.Equal(t, p1.ID, got.ID)
	}},
	{"a changed reference or email frees the old one", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p1 := NewPayer(t, b, "REF-001")
		MustSavePayer(t, s, p1)
		old := p1
		p1.ExternalRef, p1.Email = "REF-001-BIS", "autre@exemple.fr"
		MustSavePayer(t, s, p1)
		_, err := s.PayerByRef(ctx, b.ID, old.ExternalRef)
		requireNotFound(t, err, "PayerByRef of the old reference")
		p2 := NewPayer(t, b, "REF-002")
		p2.ExternalRef, p2.Email = old.ExternalRef, old.Email
		MustSavePayer(t, s, p2)
		got, err := s.PayerByEmail(ctx, b.ID, old.Email)
		require.NoError(t, err)
		assert.Equal(t, p2.ID, got.ID)
	}},
}

var accountTests = []storeTest{
	{"a saved account reads back with every field by id, email and payer, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := NewBiller(t)
			MustSaveBiller(t, tx, b)
			p := NewPayer(t, b, "REF-001")
			MustSavePayer(t, tx, p)
			a := fullAccount(t, p)
			MustSaveAccount(t, tx, a)
			for name, read := range map[string]func() (domain.Account, error){
				"Account":        func() (domain.Account, error) { return tx.Account(ctx, a.ID) },
				"AccountByEmail": func() (domain.Account, error) { return tx.AccountByEmail(ctx, b.ID, a.Email) },
				"AccountByPayer": func() (domain.Account, error) { return tx.AccountByPayer(ctx, p.ID) },
			} {
				got, err := read()
				require.NoError(t, err, name)
				AssertSame(t, a, got, name)
			}

			pending := NewAccount(t, p)
			pending.ID = a.ID
			MustSaveAccount(t, tx, pending)
			got, err := tx.Account(ctx, a.ID)
			require.NoError(t, err)
			AssertSame(t, pending, got)
		})
	}},
	{"AccountsByPayers reads the payers' accounts not closed in one call", func(t *testing.T, s ports.Store) {
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		var payers []domain.Payer
		for i := range 4 {
			p := NewPayer(t, b, fmt.Sprintf("REF-%03d", i))
			MustSavePayer(t, s, p)
			payers = append(payers, p)
		}
		pending := NewAccount(t, payers[0])
		active := NewAccount(t, payers[1])
		active.SetPassword("$argon2id$hash", Epoch.Add(time.Hour))
		closed := NewAccount(t, payers[2])
		require.NoError(t, closed.Close(Epoch.Add(time.Hour)))
		for _, a := range []domain.Account{pending, active, closed} {
			MustSaveAccount(t, s, a)
		}
		// payers[3] has no account.
		ids := []uuid.UUID{payers[3].ID, payers[2].ID, payers[1].ID, payers[0].ID, uuid.New(), payers[1].ID}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.AccountsByPayers(t.Context(), ids)
			require.NoError(t, err)
			slices.SortFunc(got, func(x, y domain.Account) int { return strings.Compare(x.Email, y.Email) })
			want := []domain.Account{pending, active}
			slices.SortFunc(want, func(x, y domain.Account) int { return strings.Compare(x.Email, y.Email) })
			AssertSame(t, want, got, "each account once, whatever the order; none for the closed one, the payer without, the unknown id")
			got, err = tx.AccountsByPayers(t.Context(), nil)
			require.NoError(t, err)
			assert.Empty(t, got)
		})
	}},
	{"a missing account is NotFound", func(t *testing.T, s ports.Store) {
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p := NewPayer(t, b, "REF-001")
		MustSavePayer(t, s, p)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			_, err := tx.Account(ctx, uuid.New())
			requireNotFound(t, err, "Account")
			_, err = tx.AccountByEmail(ctx, b.ID, p.Email)
			requireNotFound(t, err, "AccountByEmail of a payer without account")
			_, err = tx.AccountByPayer(ctx, p.ID)
			requireNotFound(t, err, "AccountByPayer of a payer without account")
		})
	}},
	{"the email of an account is unique within a biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p1, p2 := NewPayer(t, b, "REF-001"), NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, p1)
		MustSavePayer(t, s, p2)
		a1, a2 := NewAccount(t, p1), NewAccount(t, p2)
		MustSaveAccount(t, s, a1)
		a2.Email = a1.Email
		requireConflict(t, s.SaveAccount(ctx, a2), "SaveAccount with another account's email")
		_, err := s.AccountByPayer(ctx, p2.ID)
		requireNotFound(t, err, "the refused account")
	}},
	{"a payer has at most one account", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p := NewPayer(t, b, "REF-001")
		MustSavePayer(t, s, p)
		a1, a2 := NewAccount(t, p), NewAccount(t, p)
		a2.Email = "autre@exemple.fr"
		MustSaveAccount(t, s, a1)
		requireConflict(t, s.SaveAccount(ctx, a2), "SaveAccount of a second account for the payer")
		got, err := s.AccountByPayer(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, a1.ID, got.ID)
	}},
	{"the same account email is allowed in two billers, and lookups stay within the biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b1, b2 := NewBiller(t), NewBiller(t)
		MustSaveBiller(t, s, b1)
		MustSaveBiller(t, s, b2)
		p1, p2 := NewPayer(t, b1, "REF-001"), NewPayer(t, b2, "REF-001")
		MustSavePayer(t, s, p1)
		MustSavePayer(t, s, p2)
		a1, a2 := NewAccount(t, p1), NewAccount(t, p2)
		MustSaveAccount(t, s, a1)
		MustSaveAccount(t, s, a2)
		got, err := s.AccountByEmail(ctx, b2.ID, a2.Email)
		require.NoError(t, err)
		assert.Equal(t, a2.ID, got.ID)
		got, err = s.AccountByEmail(ctx, b1.ID, a1.Email)
		require.NoError(t, err)
		assert.Equal(t, a1.ID, got.ID)
	}},
	{"a changed account email frees the old one", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		p1, p2 := NewPayer(t, b, "REF-001"), NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, p1)
		MustSavePayer(t, s, p2)
		a1 := NewAccount(t, p1)
		MustSaveAccount(t, s, a1)
		old := a1.Email
		a1.Email = "nouvelle@exemple.fr"
		MustSaveAccount(t, s, a1)
		_, err := s.AccountByEmail(ctx, b.ID, old)
		requireNotFound(t, err, "AccountByEmail of the old address")
		got, err := s.AccountByEmail(ctx, b.ID, a1.Email)
		require.NoError(t, err)
		assert.Equal(t, a1.ID, got.ID)
		a2 := NewAccount(t, p2)
		a2.Email = old
		MustSaveAccount(t, s, a2)
	}},
}

var tokenTests = []storeTest{
	{"a saved token reads back with every field by its hash, and a save replaces it", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a := saveAccount(t, tx)
			tok := fullToken(t, a)
			MustSaveToken(t, tx, tok)
			got, err := tx.Token(ctx, tok.Hash)
			require.NoError(t, err)
			AssertSame(t, tok, got)

			open := tok
			open.UsedAt, open.RevokedAt, open.NewEmail = time.Time{}, time.Time{}, ""
			MustSaveToken(t, tx, open)
			got, err = tx.Token(ctx, tok.Hash)
			require.NoError(t, err)
			AssertSame(t, open, got)
		})
	}},
	{"a missing token is NotFound", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.Token(t.Context(), domain.HashSecret("inconnu"))
			requireNotFound(t, err, "Token")
		})
	}},
	{"OpenTokens lists the account's tokens of the purpose neither used nor revoked, expired ones included", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a := saveAccount(t, s)
		other := saveAccount(t, s)
		var want []string
		token := func(a domain.Account, purpose domain.TokenPurpose, change func(*domain.Token), open bool) domain.Token {
			tok, _ := NewToken(t, a, purpose)
			change(&tok)
			MustSaveToken(t, s, tok)
			if open {
				want = append(want, tok.Hash)
			}
			return tok
		}
		keep := func(*domain.Token) {}
		first := token(a, domain.TokenActivation, keep, true)
		token(a, domain.TokenActivation, func(t *domain.Token) { t.ExpiresAt = Epoch.Add(-time.Hour) }, true)
		token(a, domain.TokenActivation, func(t *domain.Token) { t.UsedAt = Epoch }, false)
		token(a, domain.TokenActivation, func(t *domain.Token) { t.RevokedAt = Epoch }, false)
		token(a, domain.TokenReset, keep, false)
		token(other, domain.TokenActivation, keep, false)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			open, err := tx.OpenTokens(ctx, a.ID, domain.TokenActivation)
			require.NoError(t, err)
			got := make([]string, len(open))
			for i, tok := range open {
				got[i] = tok.Hash
				assert.Equal(t, a.ID, tok.AccountID)
			}
			assert.ElementsMatch(t, want, got)
		})

		first.Revoke(Epoch)
		MustSaveToken(t, s, first)
		open, err := s.OpenTokens(ctx, a.ID, domain.TokenActivation)
		require.NoError(t, err)
		assert.Len(t, open, 1, "a token revoked by a save is no longer open")

		none, err := s.OpenTokens(ctx, a.ID, domain.TokenEmailChange)
		require.NoError(t, err)
		assert.Empty(t, none)
	}},
}

// saveAccount saves a fresh biller, payer and account through tx.
func saveAccount(t *testing.T, tx ports.Tx) domain.Account {
	t.Helper()
	b := NewBiller(t)
	MustSaveBiller(t, tx, b)
	p := NewPayer(t, b, "REF-001")
	MustSavePayer(t, tx, p)
	a := NewAccount(t, p)
	MustSaveAccount(t, tx, a)
	return a
}

// citizenSessionTests hold a store that reads a citizen's session with
// its account and payer at once (the optional ports.CitizenSessions) to
// what Authenticate needs of it; skipped by a store without it.
var citizenSessionTests = []storeTest{
	{"a citizen's session reads back with its account and payer, expired or not", func(t *testing.T, s ports.Store) {
		cs, sessions := citizenSessions(t, s)
		var h Household
		require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error { h = MustSeed(t, tx, "hash", 0); return nil }))
		sess := ports.Session{ID: domain.HashSecret("citizen"), BillerID: h.Biller.ID, AccountID: h.Account.ID,
			CSRFToken: "csrf", NoticeClosed: true, Persistent: true, CreatedAt: Epoch, ExpiresAt: Epoch.Add(-time.Hour)}
		require.NoError(t, sessions.CreateSession(t.Context(), sess))
		got, a, p, err := cs.CitizenSession(t.Context(), sess.ID)
		require.NoError(t, err)
		AssertSame(t, sess, got)
		AssertSame(t, h.Account, a)
		AssertSame(t, h.Payer, p)
	}},
	{"no citizen session is NotFound: unknown, staff, or without its account", func(t *testing.T, s ports.Store) {
		cs, sessions := citizenSessions(t, s)
		var h Household
		require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error { h = MustSeed(t, tx, "hash", 0); return nil }))
		_, _, _, err := cs.CitizenSession(t.Context(), domain.HashSecret("unknown"))
		requireNotFound(t, err, "CitizenSession of an unknown session")

		staff := ports.Session{ID: domain.HashSecret("staff"), BillerID: h.Biller.ID, AccountID: h.Account.ID, Staff: true,
			CSRFToken: "csrf", CreatedAt: Epoch, ExpiresAt: Epoch.Add(time.Hour)}
		require.NoError(t, sessions.CreateSession(t.Context(), staff))
		_, _, _, err = cs.CitizenSession(t.Context(), staff.ID)
		requireNotFound(t, err, "CitizenSession of a staff session")

		orphan := ports.Session{ID: domain.HashSecret("orphan"), BillerID: h.Biller.ID, AccountID: uuid.New(),
			CSRFToken: "csrf", CreatedAt: Epoch, ExpiresAt: Epoch.Add(time.Hour)}
		require.NoError(t, sessions.CreateSession(t.Context(), orphan))
		_, _, _, err = cs.CitizenSession(t.Context(), orphan.ID)
		requireNotFound(t, err, "CitizenSession of a session without its account")
	}},
}

// citizenSessions returns s as ports.CitizenSessions and its
// ports.SessionStore, or skips t.
func citizenSessions(t *testing.T, s ports.Store) (ports.CitizenSessions, ports.SessionStore) {
	t.Helper()
	cs, ok := s.(ports.CitizenSessions)
	sessions, isSessions := s.(ports.SessionStore)
	if !ok || !isSessions {
		t.Skipf("%T does not read a citizen's session with its account and payer", s)
	}
	return cs, sessions
}
