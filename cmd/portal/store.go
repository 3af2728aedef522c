package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// openedStore is where the portal keeps its data.
type openedStore struct {
	Store    ports.Store
	Sessions ports.SessionStore
	// Demo is true for the in-memory store, and with demo=true: the demo
	// data is seeded, the /_dev/ pages exist and, without an SMTP server,
	// mails go to the /_dev/mail mailbox.
	Demo bool
	// BillerID is the biller served on hosts no biller claims; Nil when
	// only the billers' host names are served.
	BillerID uuid.UUID
	// Throttle keeps the rate limits where every instance sees them; nil
	// in the demo, whose one process counts in memory.
	Throttle ports.Throttle
	// Pool is PostgreSQL's connection pool, for the metrics' statistics;
	// nil in memory.
	Pool *sql.DB
}

// openStore opens the configured store: PostgreSQL when database.url is
// set, migrated unless database.migrate is false, serving the biller
// biller.id; otherwise the in-memory demo store, serving the demo biller.
func (m *Main) openStore(ctx context.Context) (openedStore, error) {
	if m.Config.Database.URL == "" {
		s := memory.New()
		return openedStore{Store: s, Sessions: s, Demo: true, BillerID: demo.BillerID}, nil
	}
	db, err := m.openDatabase(ctx, m.Config.Database.Migrate)
	if err != nil {
		return openedStore{}, err
	}
	id := m.Config.Biller.ID
	if id != uuid.Nil && !m.Config.Demo { // demo mode writes the demo biller next
		if err := m.checkDefaultBiller(ctx, db, id); err != nil {
			return openedStore{}, err
		}
	}
	return openedStore{Store: db, Sessions: db, Demo: m.Config.Demo, BillerID: id, Throttle: db, Pool: db.Pool()}, nil
}

// checkDefaultBiller warns when the biller of biller.id is missing. The
// portal serves anyway: the biller may be created after the start (portal
// demo-seed, for one), but the log says why every page is empty.
func (m *Main) checkDefaultBiller(ctx context.Context, db *postgres.DB, id uuid.UUID) error {
	_, err := db.Biller(ctx, id)
	switch {
	case domain.ErrorCode(err) == domain.NotFound:
		m.logger().Warn("the biller served is not in the database yet: set biller.id, or run portal demo-seed for the demo biller",
			"biller", id)
	case err != nil:
		return fmt.Errorf("database: %w", operatorError(err))
	}
	return nil
}

// openDatabase connects to PostgreSQL with the pool settings, closes the
// pool at exit (Close), and applies the migrations when migrate is set.
func (m *Main) openDatabase(ctx context.Context, migrate bool) (*postgres.DB, error) {
	dc := m.Config.Database
	if dc.URL == "" {
		return nil, errors.New("no database: set database.url (PORTAL_DATABASE_URL or --database-url)")
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := postgres.Open(cctx, dc.URL, postgres.Options{
		MaxOpenConns: dc.MaxOpenConns, MaxIdleConns: dc.MaxIdleConns, ConnMaxLifetime: dc.ConnMaxLifetime,
		NoPreparedStatements: !dc.PreparedStatements, DirectURL: dc.DirectURL,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot open the database (database.url): %w", operatorError(err))
	}
	m.onClose(db.Close)
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return nil, fmt.Errorf("database migrations: %w", operatorError(err))
		}
		for _, name := range applied {
			m.logger().Info("database migration applied", "migration", name)
		}
	}
	return db, nil
}

// operatorError returns the detail of a domain error, in English, for an
// operator: its French message is meant for citizens.
func operatorError(err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Err != nil {
		return de.Err
	}
	return err
}

// logger is m.Logger, or a logger that discards when none was built.
func (m *Main) logger() *slog.Logger {
	if m.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Logger
}
