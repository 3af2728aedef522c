package main

import (
	"context"
	"fmt"
	"time"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// migrate is `portal migrate`: it applies the migrations the database has
// not run yet. Safe to run while portal instances serve: the migrations
// hold an advisory lock, and each runs in its own transaction.
func (m *Main) migrate(ctx context.Context) error {
	db, err := m.openDatabase(ctx, false)
	if err != nil {
		return err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("database migrations: %w", operatorError(err))
	}
	all, err := postgres.Migrations()
	if err != nil {
		return err
	}
	for _, name := range applied {
		fmt.Fprintf(m.Stdout, "applied %s\n", name)
	}
	latest := all[len(all)-1]
	if len(applied) == 0 {
		fmt.Fprintf(m.Stdout, "the database schema is up to date (version %d, %s)\n", latest.Version, latest.Name)
		return nil
	}
	fmt.Fprintf(m.Stdout, "the database schema is now at version %d (%s)\n", latest.Version, latest.Name)
	return nil
}

// demoSeed is `portal demo-seed`: it writes the demo data of memory mode
// (ports/demo) into the database, unless the demo biller is there already.
func (m *Main) demoSeed(ctx context.Context) error {
	db, err := m.openDatabase(ctx, m.Config.Database.Migrate)
	if err != nil {
		return err
	}
	hasher := ports.PasswordHasher{Params: ports.DefaultArgon2, Random: ports.SystemRandom}
	info, err := demo.Seed(ctx, db, hasher, time.Now())
	if err != nil {
		return fmt.Errorf("demo data: %w", operatorError(err))
	}
	if err := demo.SeedHistory(ctx, db, hasher, time.Now()); err != nil {
		return fmt.Errorf("demo history: %w", operatorError(err))
	}
	if !info.Seeded {
		fmt.Fprintf(m.Stdout, "the demo biller %s is already in the database: nothing changed\n", info.BillerID)
		return nil
	}
	fmt.Fprintf(m.Stdout, "demo data written: biller %s (%s, PayFiP client %s)\n", info.BillerID, demo.BillerName, demo.Numcli)
	fmt.Fprintf(m.Stdout, "  log in as %s, password %s; %s has not activated an account yet\n", demo.Email, demo.Password, demo.NewcomerEmail)
	if m.Config.Biller.ID != info.BillerID {
		fmt.Fprintf(m.Stdout, "  serve it with biller.id=%s (PORTAL_BILLER_ID)\n", info.BillerID)
	}
	return nil
}
