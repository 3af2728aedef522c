package ports

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The operator's command line: billers, their hosts, staff accounts.

// AddStaff creates a staff member of a biller, or replaces the role,
// name and password of the one with that address. It is the command
// line's: whoever runs it administers the instance.
func (p Operator) AddStaff(ctx context.Context, in StaffInput) (domain.Staff, bool, error) {
	if utf8.RuneCountInString(in.Password) < MinStaffPasswordLength {
		return domain.Staff{}, false, domain.FieldError("password",
			"Le mot de passe d'un agent doit comporter au moins 12 caractères.")
	}
	if len(in.Password) > 1024 {
		return domain.Staff{}, false, domain.FieldError("password", "Le mot de passe est trop long.")
	}
	hash, err := p.hasher.HashBounded(ctx, in.Password)
	if err != nil {
		return domain.Staff{}, false, err
	}
	now := p.clock.Now()
	var out domain.Staff
	var created bool
	err = p.store.Atomic(ctx, func(tx Tx) error {
		b, err := tx.Biller(ctx, in.BillerID)
		if err != nil {
			return notFoundAs(err, domain.Errorf(domain.NotFound, "Service de facturation inconnu."))
		}
		st, err := tx.StaffByEmail(ctx, b.ID, in.Email)
		switch {
		case err == nil:
			created = false
			if name := strings.TrimSpace(in.Name); name != "" {
				st.Name = name
			}
			st.Role, st.Disabled, st.UpdatedAt = in.Role, false, now
		case domain.ErrorCode(err) == domain.NotFound:
			created = true
			id, err := p.newID()
			if err != nil {
				return err
			}
			if st, err = domain.NewStaff(id, b.ID, in.Email, in.Name, in.Role, now); err != nil {
				return err
			}
		default:
			return domain.WrapInternal(err)
		}
		st.PasswordHash = hash
		if err := st.Validate(); err != nil {
			return err
		}
		if err := tx.SaveStaff(ctx, st); err != nil {
			return err
		}
		out = st
		detail := "Agent créé avec le rôle « " + st.Role.Label() + " »."
		if !created {
			detail = "Agent mis à jour, rôle « " + st.Role.Label() + " », nouveau mot de passe."
		}
		return p.audit(ctx, tx, SystemActor(b.ID), domain.AuditStaffCreated, st.Email, detail)
	})
	return out, created, err
}

// DisableStaff stops a staff member from logging in and ends their sessions.
func (p Operator) DisableStaff(ctx context.Context, billerID uuid.UUID, email string) error {
	now := p.clock.Now()
	var id uuid.UUID
	err := p.store.Atomic(ctx, func(tx Tx) error {
		st, err := tx.StaffByEmail(ctx, billerID, email)
		if err != nil {
			return notFoundAs(err, domain.Errorf(domain.NotFound, "Aucun agent de ce service n'a cette adresse."))
		}
		st.Disabled, st.UpdatedAt = true, now
		id = st.ID
		if err := tx.SaveStaff(ctx, st); err != nil {
			return err
		}
		return p.audit(ctx, tx, SystemActor(billerID), domain.AuditStaffDisabled, st.Email, "Agent désactivé.")
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, id, ""); err != nil {
		return domain.WrapInternal(err)
	}
	return nil
}

// CreateBiller adds a billing service with the default settings, in PayFiP
// test mode: the operator's command line. Its staff then set the rest in
// its back office.
func (p Operator) CreateBiller(ctx context.Context, id uuid.UUID, name, numcli, email string, hosts []string) (domain.Biller, error) {
	b, err := domain.NewBiller(id, strings.TrimSpace(name), numcli, email, p.clock.Now())
	if err != nil {
		return b, err
	}
	b.Hosts = hosts
	if err := b.Validate(); err != nil {
		return b, err
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		if _, err := tx.Biller(ctx, id); err == nil {
			return domain.Errorf(domain.Conflict, "Un service de facturation a déjà cet identifiant.")
		} else if domain.ErrorCode(err) != domain.NotFound {
			return domain.WrapInternal(err)
		}
		if err := tx.SaveBiller(ctx, b); err != nil {
			return err
		}
		return p.audit(ctx, tx, SystemActor(b.ID), domain.AuditSettingsChanged, b.Name, "Service de facturation créé.")
	})
	return b, err
}

// SetBillerHosts replaces the host names a biller is served on.
func (p Operator) SetBillerHosts(ctx context.Context, id uuid.UUID, hosts []string) (domain.Biller, error) {
	var b domain.Biller
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		if b, err = tx.BillerForUpdate(ctx, id); err != nil {
			return notFoundAs(err, domain.Errorf(domain.NotFound, "Service de facturation inconnu."))
		}
		b.Hosts = hosts
		b.UpdatedAt = p.clock.Now()
		if err := b.Validate(); err != nil {
			return err
		}
		if err := tx.SaveBiller(ctx, b); err != nil {
			return err
		}
		return p.audit(ctx, tx, SystemActor(b.ID), domain.AuditSettingsChanged, b.Name,
			"Noms d'hôte du portail : "+strings.Join(hosts, ", ")+".")
	})
	return b, err
}

// AllBillers lists every biller of the instance, for its operator.
func (p Operator) AllBillers(ctx context.Context) ([]domain.Biller, error) {
	list, err := p.store.Billers(ctx)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return list, nil
}

// StaffOf lists a biller's staff, for the instance's operator.
func (p Operator) StaffOf(ctx context.Context, billerID uuid.UUID) ([]domain.Staff, error) {
	if _, err := p.store.Biller(ctx, billerID); err != nil {
		return nil, notFoundAs(err, domain.Errorf(domain.NotFound, "Service de facturation inconnu."))
	}
	list, err := p.store.StaffMembers(ctx, billerID)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return list, nil
}

// ApplyPaymentConfig gives the biller the PayFiP client number and
// environment set by the operator in the instance's configuration, each
// only when set (empty keeps the stored value). It is the operator's, run
// at start-up by cmd/portal, so it neither checks an actor nor writes an
// audit line, as before it became a use case.
func (p Operator) ApplyPaymentConfig(ctx context.Context, billerID uuid.UUID, numcli string, saisie domain.Saisie) error {
	if numcli == "" && saisie == "" {
		return nil
	}
	return p.store.Atomic(ctx, func(tx Tx) error {
		b, err := tx.BillerForUpdate(ctx, billerID)
		if err != nil {
			return fmt.Errorf("payment settings: %w", err)
		}
		if numcli != "" {
			b.Numcli = numcli
		}
		if saisie != "" {
			b.Saisie = saisie
		}
		return tx.SaveBiller(ctx, b)
	})
}

// StaffInput is a new staff member, from `portal staff add`.
type StaffInput struct {
	BillerID uuid.UUID
	Email    string
	Name     string
	Role     domain.StaffRole
	Password string
}
