// Package demo fills a store with the demonstration data of the manual:
// the commune of Démoville, an active account demo@demo.fr (password
// demo1234) with unpaid, paid and treasury invoices, and a known payer
// nouveau@demo.fr who has not activated yet. `portal serve` seeds its
// in-memory store with it; `portal demo-seed` fills a database.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The demo's fixed identifiers and credentials, so that seeding twice is
// harmless and a demonstration can be scripted.
var (
	BillerID   = uuid.MustParse("00000000-0000-4000-8000-000000004200")
	payerID    = uuid.MustParse("00000000-0000-4000-8000-000000000001")
	accountID  = uuid.MustParse("00000000-0000-4000-8000-000000000101")
	newcomerID = uuid.MustParse("00000000-0000-4000-8000-000000000002")
)

// Demo credentials.
const (
	BillerName    = "Commune de Démoville"
	Numcli        = "004200"
	Email         = "demo@demo.fr"
	Password      = "demo1234"
	NewcomerEmail = "nouveau@demo.fr"
	ServiceEmail  = "factures@demoville.fr"
	// The back office's demo staff: a "gestionnaire", a "lecture" and an
	// "administrateur" (who manages the staff from « Mon compte »).
	StaffEmail     = "gestion@demo.fr"
	StaffPassword  = "gestion-demo-1234"
	ReaderEmail    = "lecture@demo.fr"
	ReaderPassword = "lecture-demo-1234"
	AdminEmail     = "admin@demo.fr"
	AdminPassword  = "admin-demo-1234"
)

// The demo staff's ids.
var (
	StaffID  = uuid.MustParse("00000000-0000-4000-8000-000000000201")
	ReaderID = uuid.MustParse("00000000-0000-4000-8000-000000000202")
	AdminID  = uuid.MustParse("00000000-0000-4000-8000-000000000203")
)

// Info says what Seed did.
type Info struct {
	Seeded   bool // false when the demo biller was already there
	BillerID uuid.UUID
}

// Seed writes the demo data relative to now (unpaid invoices fall due
// after today), in one transaction. It does nothing if the demo biller
// exists already.
func Seed(ctx context.Context, store ports.Store, hasher ports.PasswordHasher, now time.Time) (Info, error) {
	info := Info{BillerID: BillerID}
	if _, err := store.Biller(ctx, BillerID); err == nil {
		return info, nil
	} else if domain.ErrorCode(err) != domain.NotFound {
		return info, err
	}
	hash, err := hasher.Hash(Password)
	if err != nil {
		return info, err
	}
	staffHash, err := hasher.Hash(StaffPassword)
	if err != nil {
		return info, err
	}
	readerHash, err := hasher.Hash(ReaderPassword)
	if err != nil {
		return info, err
	}
	adminHash, err := hasher.Hash(AdminPassword)
	if err != nil {
		return info, err
	}
	err = store.Atomic(ctx, func(tx ports.Tx) error {
		b, err := domain.NewBiller(BillerID, BillerName, Numcli, ServiceEmail, now)
		if err != nil {
			return err
		}
		b.MultiplePayments = true
		// The demo pays through the built-in PayFiP simulator, the demo's
		// stand-in for production: in T its payments would all be test
		// payments that settle nothing. A demo database pointed at the
		// real PayFiP must be set back to T (« Paramètres » or
		// payment.saisie).
		b.Saisie = domain.SaisieProduction
		b.Notice = "Information importante : en raison de travaux sur le réseau d'eau, les factures du 2e trimestre seront émises avec quinze jours de retard. Nous vous remercions de votre compréhension."
		b.HomeText = "Bienvenue sur le portail des factures de la Commune de Démoville. Vous pouvez consulter vos factures d'eau, de cantine et de crèche, les régler en ligne par carte bancaire ou prélèvement unique grâce au service PayFiP de la DGFiP, et nous écrire depuis le menu « Contact »."
		if err := tx.SaveBiller(ctx, b); err != nil {
			return err
		}
		payer := domain.Payer{ID: payerID, BillerID: b.ID, ExternalRef: "DEMO-0001", Name: "Camille Martin", Email: Email, CreatedAt: now, UpdatedAt: now}
		newcomer := domain.Payer{ID: newcomerID, BillerID: b.ID, ExternalRef: "DEMO-0002", Name: "Dominique Bernard", Email: NewcomerEmail, CreatedAt: now, UpdatedAt: now}
		for _, p := range []domain.Payer{payer, newcomer} {
			if err := tx.SavePayer(ctx, p); err != nil {
				return err
			}
		}
		a := domain.NewAccount(accountID, payer, now)
		a.SetPassword(hash, now)
		if err := tx.SaveAccount(ctx, a); err != nil {
			return err
		}
		for _, st := range []struct {
			id          uuid.UUID
			email, name string
			role        domain.StaffRole
			hash        string
		}{
			{StaffID, StaffEmail, "Agent de démonstration", domain.RoleManager, staffHash},
			{ReaderID, ReaderEmail, "Lecteur de démonstration", domain.RoleReader, readerHash},
			{AdminID, AdminEmail, "Administrateur de démonstration", domain.RoleAdmin, adminHash},
		} {
			member, err := domain.NewStaff(st.id, b.ID, st.email, st.name, st.role, now)
			if err != nil {
				return err
			}
			member.PasswordHash = st.hash
			if err := tx.SaveStaff(ctx, member); err != nil {
				return err
			}
		}
		today := domain.Today(now)
		type row struct {
			payer          domain.Payer
			number, object string
			amount         string
			issued, due    int // days from today
			state          domain.InvoiceState
		}
		rows := []row{
			{payer, "2026-020-002059", "Eau et assainissement, 2e semestre", "243.11", -10, 21, domain.InvoiceUnpaid},
			{payer, "2026-030-000412", "Restauration scolaire, octobre", "58.40", -5, 25, domain.InvoiceUnpaid},
			{payer, "2026-040-000087", "Crèche municipale, octobre", "176.25", -3, 27, domain.InvoiceUnpaid},
			{payer, "2026-030-000388", "Restauration scolaire, septembre", "61.60", -40, -10, domain.InvoicePaid},
			{payer, "2026-020-001544", "Eau et assainissement, 1er semestre", "198.72", -190, -160, domain.InvoicePaid},
			{payer, "2025-020-003371", "Eau et assainissement, 2e semestre 2025", "231.09", -300, -270, domain.InvoiceTreasury},
			{newcomer, "2026-020-002060", "Eau et assainissement, 2e semestre", "187.34", -10, 21, domain.InvoiceUnpaid},
			{newcomer, "2026-030-000413", "Restauration scolaire, octobre", "43.80", -5, 25, domain.InvoiceUnpaid},
		}
		for i, r := range rows {
			inv := domain.Invoice{
				ID:       uuid.NewSHA1(BillerID, []byte(r.number)),
				BillerID: b.ID, PayerID: r.payer.ID, Number: r.number, Object: r.object,
				IssueDate: today.AddDays(r.issued), DueDate: today.AddDays(r.due),
				Amount: decimal.RequireFromString(r.amount), State: domain.InvoiceUnpaid,
				CreatedAt: now, UpdatedAt: now,
			}
			switch r.state {
			case domain.InvoicePaid:
				if _, err := inv.Settle(uuid.Nil, inv.DueDate.AddDays(-2).Time(domain.Paris).Add(10*time.Hour), now); err != nil {
					return err
				}
			case domain.InvoiceTreasury:
				if _, err := inv.MoveToTreasury(inv.DueDate.AddDays(b.TreasuryDelayDays + 1).Time(domain.Paris)); err != nil {
					return err
				}
			}
			if err := inv.Validate(); err != nil {
				return fmt.Errorf("demo invoice %d: %w", i, err)
			}
			if err := tx.SaveInvoice(ctx, inv); err != nil {
				return err
			}
		}
		if err := seedReminders(ctx, tx, b, payer, now); err != nil {
			return err
		}
		b, err = tx.Biller(ctx, b.ID)
		if err != nil {
			return err
		}
		return seedCertificates(ctx, tx, b, payer, now)
	})
	if err != nil {
		return info, err
	}
	info.Seeded = true
	return info, nil
}
