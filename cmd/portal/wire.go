package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/tipi"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// buildHandler wires the portal by hand and returns its HTTP handler.
//
// This is the one place where adapters meet the use cases: it chooses the
// store from m.Config.Database.URL (empty: the in-memory store), builds the
// other driven adapters, hands them to the use cases, and mounts the HTTP
// handlers. Whatever must be released at exit is registered with
// m.onClose. ctx is cancelled on SIGINT/SIGTERM.
func (m *Main) buildHandler(ctx context.Context) (http.Handler, error) {
	if m.Config.Database.URL != "" {
		// Refuse rather than silently serve from memory: an operator who set
		// a database expects the data to be kept.
		return nil, errors.New("database.url is set, but this version has no PostgreSQL store yet: unset PORTAL_DATABASE_URL (or database.url) to run on the in-memory store")
	}
	store := memory.New()
	clock := ports.SystemClock{}
	mailbox := memory.NewMailbox(clock, 0)
	gateway, err := tipi.New(tipi.Config{PublicURL: m.Config.PublicURL})
	if err != nil {
		return nil, err
	}
	portal, err := ports.NewPortal(ports.Deps{
		Store: store, Sessions: store, Mailer: mailbox, Gateway: gateway,
		Clock: clock, Logger: m.Logger,
	}, ports.Config{
		PublicURL:      m.Config.PublicURL,
		ActivationTTL:  m.Config.Tokens.ActivationTTL,
		ResetTTL:       m.Config.Tokens.ResetTTL,
		EmailChangeTTL: m.Config.Tokens.EmailChangeTTL,
		SessionTTL:     m.Config.Session.TTL,
		RememberTTL:    m.Config.Session.RememberTTL,
	})
	if err != nil {
		return nil, err
	}
	m.portal = portal

	// Demo mode: the in-memory store starts with the manual's demo data.
	hasher := ports.PasswordHasher{Params: ports.DefaultArgon2, Random: ports.SystemRandom}
	if _, err := demo.Seed(ctx, store, hasher, clock.Now()); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	m.Logger.Info("demo mode: in-memory store with demo data",
		"login", demo.Email, "password", demo.Password, "not_activated", demo.NewcomerEmail)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	return mux, nil
}
