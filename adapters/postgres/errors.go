package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/portail-factures/portail/domain"
)

// uniqueErrors says, for each unique constraint or index of the schema,
// what a broken uniqueness means to a citizen or a staff member. The names
// are those of migrations/0001_init.sql and 0004_backoffice.sql.
var uniqueErrors = map[string]domain.Error{
	"payers_biller_ref_key":     {Code: domain.Conflict, Field: "external_ref", Message: "Un autre redevable de ce service a déjà cette référence."},
	"payers_biller_email_key":   *domain.ErrEmailTaken,
	"accounts_biller_email_key": *domain.ErrEmailTaken,
	"accounts_payer_key":        {Code: domain.Conflict, Message: "Ce redevable a déjà un compte."},
	"invoices_biller_number_key": {Code: domain.Conflict, Field: "number",
		Message: "Ce numéro de facture existe déjà."},
	"payments_refdet_key": {Code: domain.Conflict, Field: "refdet",
		Message: "Un autre paiement porte déjà cette référence."},
	"payments_operation_key": {Code: domain.Conflict,
		Message: "Cette opération de paiement est déjà rattachée à un autre paiement."},
	"biller_hosts_pkey": {Code: domain.Conflict, Field: "hosts", Message: msgHostTaken},
	"staff_biller_email_key": {Code: domain.Conflict, Field: "email",
		Message: "Un autre agent de ce service a déjà cette adresse."},
	"api_keys_hash_key":  {Code: domain.Conflict, Message: "Cette clé d'API existe déjà."},
	"api_keys_nonce_key": *domain.ErrAPIKeyAlreadyCreated,
	"audit_events_pkey":  {Code: domain.Conflict, Message: "Cet événement du journal existe déjà."},
}

// French messages of the errors that are not a broken uniqueness.
const (
	msgConflict = "Cet enregistrement existe déjà."
	msgInvalid  = "Une valeur est invalide ou hors des limites permises."
	// msgHostTaken is the message of a host another biller has, when the
	// host is not known (a race with the other biller's save).
	msgHostTaken = "Un de ces noms d'hôte est déjà celui d'un autre service."
)

// notFound is the error of a missing row: the citizen's ErrNotFound, with
// what was looked for in Err for the logs.
func notFound(format string, args ...any) error {
	return &domain.Error{Code: domain.NotFound, Message: domain.ErrNotFound.Message,
		Err: fmt.Errorf("postgres: "+format+" not found", args...)}
}

// mapErr translates a database error into a domain error. what names the
// operation for the logs; a missing row (sql.ErrNoRows) is NotFound about
// what. An *domain.Error passes unchanged.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	detail := fmt.Errorf("postgres: %s: %w", what, err)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("%s", what)
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		return mapPQ(pe, detail)
	}
	if unavailable(err) {
		return domain.WrapUnavailable(detail)
	}
	return domain.WrapInternal(detail)
}

// mapPQ translates an error the server reported, by its SQLSTATE.
func mapPQ(pe *pq.Error, detail error) error {
	code := pe.Code
	switch {
	case code == pqerror.UniqueViolation:
		e, ok := uniqueErrors[pe.Constraint]
		if !ok {
			e = domain.Error{Code: domain.Conflict, Message: msgConflict}
		}
		e.Err = detail
		return &e
	case code == pqerror.CheckViolation, code == pqerror.NotNullViolation,
		code.Class() == pqerror.ClassDataException:
		// A value out of the schema's sets or bounds: an amount beyond
		// NUMERIC(12,2), an unknown state. The caller sent it.
		return &domain.Error{Code: domain.Invalid, Message: msgInvalid, Err: detail}
	case retryable(pe):
		// Atomic retried already: the database is too busy for now.
		return domain.WrapUnavailable(detail)
	case code.Class() == pqerror.ClassConnectionException,
		code.Class() == pqerror.ClassInsufficientResources,
		code == pqerror.AdminShutdown, code == pqerror.CrashShutdown,
		code == pqerror.CannotConnectNow, code == pqerror.QueryCanceled:
		return domain.WrapUnavailable(detail)
	}
	// Foreign key violations included: the use cases load what they
	// refer to, so a broken reference is a bug to log, not a citizen's
	// mistake.
	return domain.WrapInternal(detail)
}

// unavailable reports whether err says the database cannot be reached or
// the caller gave up waiting.
func unavailable(err error) bool {
	var ne net.Error
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &ne)
}

// retryable reports whether a transaction that failed with err may succeed
// if run again: a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == pqerror.TRSerializationFailure || pe.Code == pqerror.TRDeadlockDetected
}
