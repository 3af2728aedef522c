package main

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// openedStore is where the portal keeps its data.
type openedStore struct {
	Store    ports.Store
	Sessions ports.SessionStore
	// Demo is true for the in-memory store: the demo data is seeded, the
	// /_dev/ pages exist and mails go to the /_dev/mail mailbox.
	Demo bool
	// BillerID is the biller the portal serves.
	BillerID uuid.UUID
}

// openStore opens the configured store: the in-memory demo store when no
// database is configured.
func (m *Main) openStore(ctx context.Context) (openedStore, error) {
	_ = ctx
	if m.Config.Database.URL != "" {
		// Refuse rather than silently serve from memory: an operator who set
		// a database expects the data to be kept.
		return openedStore{}, errors.New("database.url is set, but this version has no PostgreSQL store yet: unset PORTAL_DATABASE_URL (or database.url) to run on the in-memory store")
	}
	s := memory.New()
	return openedStore{Store: s, Sessions: s, Demo: true, BillerID: demo.BillerID}, nil
}
