package memory

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// sessions holds the browsers' logins under a lock of their own.
type sessions struct {
	mu        sync.Mutex
	byID      map[string]ports.Session
	byAccount map[uuid.UUID]set[string]
}

func (ss *sessions) init() {
	ss.byID = make(map[string]ports.Session)
	ss.byAccount = make(map[uuid.UUID]set[string])
}

func (ss *sessions) put(s ports.Session) {
	if old, ok := ss.byID[s.ID]; ok {
		removeFrom(ss.byAccount, old.AccountID, old.ID)
	}
	ss.byID[s.ID] = s
	addTo(ss.byAccount, s.AccountID, s.ID)
}

func (ss *sessions) remove(id string) {
	if old, ok := ss.byID[id]; ok {
		removeFrom(ss.byAccount, old.AccountID, id)
		delete(ss.byID, id)
	}
}

// CreateSession stores a new session; Conflict if its id exists, so that
// a new login never takes over another.
func (s *Store) CreateSession(_ context.Context, sess ports.Session) error {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.byID[sess.ID]; ok {
		return conflict("", "Cette session existe déjà.", "session already exists")
	}
	ss.put(sess)
	return nil
}

// Session returns the session with id, expired or not.
func (s *Store) Session(_ context.Context, id string) (ports.Session, error) {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess, ok := ss.byID[id]
	if !ok {
		return ports.Session{}, notFound("session")
	}
	return sess, nil
}

// SaveSession replaces an existing session; NotFound if it was deleted in
// the meantime, so that a logout elsewhere is not undone.
func (s *Store) SaveSession(_ context.Context, sess ports.Session) error {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.byID[sess.ID]; !ok {
		return notFound("session")
	}
	ss.put(sess)
	return nil
}

// DeleteSession ends the session with id; ending a missing one is not an
// error.
func (s *Store) DeleteSession(_ context.Context, id string) error {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.remove(id)
	return nil
}

// DeleteAccountSessions ends every session of the account except the one
// whose id is except.
func (s *Store) DeleteAccountSessions(_ context.Context, accountID uuid.UUID, except string) error {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for id := range ss.byAccount[accountID] {
		if id != except {
			ss.remove(id)
		}
	}
	return nil
}

// DeleteExpiredSessions removes the sessions expired at now (ExpiresAt
// not after now) and returns how many.
func (s *Store) DeleteExpiredSessions(_ context.Context, now time.Time) (int, error) {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	n := 0
	for id, sess := range ss.byID {
		if !now.Before(sess.ExpiresAt) {
			ss.remove(id)
			n++
		}
	}
	return n, nil
}

var _ ports.CitizenSessions = (*Store)(nil)

// CitizenSession returns a citizen's session with its account and payer;
// NotFound for a missing or staff session, or a missing account or
// payer.
func (s *Store) CitizenSession(ctx context.Context, id string) (ports.Session, domain.Account, domain.Payer, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return ports.Session{}, domain.Account{}, domain.Payer{}, err
	}
	if sess.Staff {
		return ports.Session{}, domain.Account{}, domain.Payer{}, notFound("citizen session")
	}
	a, err := s.Account(ctx, sess.AccountID)
	if err != nil {
		return ports.Session{}, domain.Account{}, domain.Payer{}, err
	}
	p, err := s.Payer(ctx, a.PayerID)
	if err != nil {
		return ports.Session{}, domain.Account{}, domain.Payer{}, err
	}
	return sess, a, p, nil
}
