package portstest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestSessionStore runs the contract suite of ports.SessionStore against
// the stores newSessions returns, one empty store per subtest.
//
// Beyond what ports.SessionStore documents, the suite holds a store to
// three rules a login needs: creating a session whose id exists is a
// Conflict (a new session never takes over another), saving a session
// that no longer exists is NotFound and does not bring it back (a logout
// in another tab wins), and deleting a missing session is not an error
// (logging out twice is harmless).
func TestSessionStore(t *testing.T, newSessions func(t *testing.T) ports.SessionStore) {
	for _, tc := range sessionTests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newSessions(t)) })
	}
}

type sessionTest struct {
	name string
	run  func(t *testing.T, s ports.SessionStore)
}

// newSession returns a session of account that expires at expires, with
// an id derived from secret.
func newSession(account uuid.UUID, secret string, expires time.Time) ports.Session {
	return ports.Session{
		ID: domain.HashSecret(secret), BillerID: uuid.New(), AccountID: account,
		CSRFToken: "csrf-" + secret, CreatedAt: Epoch, ExpiresAt: expires,
	}
}

// present reports which of the sessions s still holds.
func present(t *testing.T, s ports.SessionStore, sessions ...ports.Session) []bool {
	t.Helper()
	out := make([]bool, len(sessions))
	for i, sess := range sessions {
		_, err := s.Session(t.Context(), sess.ID)
		switch domain.ErrorCode(err) {
		case "":
			out[i] = true
		case domain.NotFound:
		default:
			t.Fatalf("Session: %v", err)
		}
	}
	return out
}

var sessionTests = []sessionTest{
	{"a created session reads back with every field", func(t *testing.T, s ports.SessionStore) {
		sess := fullSession(t, uuid.New(), uuid.New(), "secret")
		require.NoError(t, s.CreateSession(t.Context(), sess))
		got, err := s.Session(t.Context(), sess.ID)
		require.NoError(t, err)
		AssertSame(t, sess, got)
	}},
	{"an unknown session is NotFound", func(t *testing.T, s ports.SessionStore) {
		_, err := s.Session(t.Context(), domain.HashSecret("inconnu"))
		requireCode(t, domain.NotFound, err, "Session")
	}},
	{"creating a session whose id exists is a Conflict", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		first := newSession(uuid.New(), "secret", Epoch.Add(time.Hour))
		require.NoError(t, s.CreateSession(ctx, first))
		second := newSession(uuid.New(), "secret", Epoch.Add(time.Hour))
		requireCode(t, domain.Conflict, s.CreateSession(ctx, second), "CreateSession")
		got, err := s.Session(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, first.AccountID, got.AccountID, "the first session is untouched")
	}},
	{"saving a session replaces it", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		sess := newSession(uuid.New(), "secret", Epoch.Add(time.Hour))
		require.NoError(t, s.CreateSession(ctx, sess))
		sess.NoticeClosed, sess.Persistent = true, true
		sess.ExpiresAt = at(30 * 24 * time.Hour)
		sess.CSRFToken = "nouveau"
		require.NoError(t, s.SaveSession(ctx, sess))
		got, err := s.Session(ctx, sess.ID)
		require.NoError(t, err)
		AssertSame(t, sess, got)
	}},
	{"saving a deleted session is NotFound and does not bring it back", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		sess := newSession(uuid.New(), "secret", Epoch.Add(time.Hour))
		require.NoError(t, s.CreateSession(ctx, sess))
		require.NoError(t, s.DeleteSession(ctx, sess.ID))
		sess.NoticeClosed = true
		requireCode(t, domain.NotFound, s.SaveSession(ctx, sess), "SaveSession")
		assert.Equal(t, []bool{false}, present(t, s, sess))
	}},
	{"deleting a session ends it, and deleting it again is harmless", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		sess := newSession(uuid.New(), "secret", Epoch.Add(time.Hour))
		other := newSession(sess.AccountID, "autre", Epoch.Add(time.Hour))
		require.NoError(t, s.CreateSession(ctx, sess))
		require.NoError(t, s.CreateSession(ctx, other))
		require.NoError(t, s.DeleteSession(ctx, sess.ID))
		assert.Equal(t, []bool{false, true}, present(t, s, sess, other))
		assert.NoError(t, s.DeleteSession(ctx, sess.ID))
		assert.NoError(t, s.DeleteSession(ctx, domain.HashSecret("inconnu")))
	}},
	{"an expired session is still returned: expiry is the caller's to check", func(t *testing.T, s ports.SessionStore) {
		sess := newSession(uuid.New(), "secret", Epoch.Add(-time.Hour))
		require.NoError(t, s.CreateSession(t.Context(), sess))
		got, err := s.Session(t.Context(), sess.ID)
		require.NoError(t, err)
		AssertSame(t, sess, got)
	}},
	{"DeleteAccountSessions ends every session of the account but the one kept", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		account, other := uuid.New(), uuid.New()
		keep := newSession(account, "garder", Epoch.Add(time.Hour))
		end1 := newSession(account, "fin-1", Epoch.Add(time.Hour))
		end2 := newSession(account, "fin-2", Epoch.Add(time.Hour))
		elsewhere := newSession(other, "ailleurs", Epoch.Add(time.Hour))
		for _, sess := range []ports.Session{keep, end1, end2, elsewhere} {
			require.NoError(t, s.CreateSession(ctx, sess))
		}
		require.NoError(t, s.DeleteAccountSessions(ctx, account, keep.ID))
		assert.Equal(t, []bool{true, false, false, true}, present(t, s, keep, end1, end2, elsewhere))

		require.NoError(t, s.DeleteAccountSessions(ctx, account, ""))
		assert.Equal(t, []bool{false, true}, present(t, s, keep, elsewhere), "with no exception, every session of the account ends")
		assert.NoError(t, s.DeleteAccountSessions(ctx, uuid.New(), ""), "an account without sessions")
	}},
	{"a session saved for another account follows it", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		from, to := uuid.New(), uuid.New()
		sess := newSession(from, "secret", Epoch.Add(time.Hour))
		require.NoError(t, s.CreateSession(ctx, sess))
		sess.AccountID = to
		require.NoError(t, s.SaveSession(ctx, sess))
		require.NoError(t, s.DeleteAccountSessions(ctx, from, ""))
		assert.Equal(t, []bool{true}, present(t, s, sess))
		require.NoError(t, s.DeleteAccountSessions(ctx, to, ""))
		assert.Equal(t, []bool{false}, present(t, s, sess))
	}},
	{"DeleteExpiredSessions removes the sessions expired at now and counts them", func(t *testing.T, s ports.SessionStore) {
		ctx := t.Context()
		now := Epoch
		past := newSession(uuid.New(), "passee", now.Add(-time.Microsecond))
		exact := newSession(uuid.New(), "exacte", now) // expired at its expiry instant, as tokens are
		future := newSession(uuid.New(), "future", now.Add(time.Microsecond))
		for _, sess := range []ports.Session{past, exact, future} {
			require.NoError(t, s.CreateSession(ctx, sess))
		}
		n, err := s.DeleteExpiredSessions(ctx, now.In(domain.Paris))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, []bool{false, false, true}, present(t, s, past, exact, future))

		n, err = s.DeleteExpiredSessions(ctx, now)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing left to remove")
	}},
}
