package portstest

import (
	"cmp"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestStore runs the contract suite of ports.Store against the stores
// newStore returns, in the spirit of testing/fstest: the tests of each
// role interface of ports.Tx (one file each, store_suite_<role>.go), of
// the optional ports.ImportTx (TestImportTx), then of Atomic, copies
// and concurrency across roles. Every subtest asks newStore for an empty
// store; newStore may register cleanups on t. Subtests are named after
// the rule they show.
//
// The suite saves records in an order that respects references (a
// biller before its payers, a payment before an invoice locked by it),
// saves emails normalised as the domain does, and compares times with
// time.Time.Equal at microsecond precision.
func TestStore(t *testing.T, newStore func(t *testing.T) ports.Store) {
	groups := []struct {
		name  string
		tests []storeTest
	}{
		// One role of ports.Tx after another, each in its own file.
		{"billers", billerTests}, // BillerStore: store_suite_billers.go
		{"hosts", hostTests},
		{"payers", payerTests}, // PayerStore, AccountStore, TokenStore: store_suite_people.go
		{"accounts", accountTests},
		{"tokens", tokenTests},
		{"citizen sessions", citizenSessionTests}, // the optional ports.CitizenSessions
		{"invoices", invoiceTests},                // InvoiceStore: store_suite_invoices.go
		{"invoice lists", invoiceListTests},
		{"payments", paymentTests}, // PaymentStore: store_suite_payments.go
		{"payments to poll", pollTests},
		{"payment events", paymentEventTests},
		{"messages", messageTests}, // MessageStore: store_suite_messages.go
		{"refunds", refundTests},   // RefundStore: store_suite_refunds.go
		{"staff", staffTests},      // StaffStore: store_suite_staff.go
		{"staff administration", staffAdminTests},
		{"API keys", apiKeyTests},                 // APIKeyStore: store_suite_apikeys.go
		{"documents", documentTests},              // DocumentStore: store_suite_documents.go
		{"verification codes", verificationTests}, // VerificationStore: store_suite_verification.go
		{"audit log", auditTests},                 // AuditStore: store_suite_audit.go
		{"payment search", paymentSearchTests},    // BackOfficeQueries: store_suite_backoffice.go
		{"invoice search", invoiceSearchTests},
		{"payer search", payerSearchTests},
		{"message search", messageSearchTests},
		{"job runs", claimRunTests},        // JobRuns: store_suite_jobs.go
		{"notices", noticeTests},           // NoticeStore: store_suite_notices.go
		{"certificates", certificateTests}, // CertificateStore: store_suite_certificates.go
		{"retention", retentionTests},      // RetentionStore: store_suite_retention.go
		{"board", boardTests},              // BoardStore: store_suite_board.go
		{"outbox", outboxTests},            // Outbox: store_suite_outbox.go
		// The optional bulk import (ports.ImportTx): store_suite_import.go;
		// skipped by a store without it.
		{"bulk import", importTxTests},
		// Across roles.
		{"atomic", atomicTests},
		{"copies", copyTests},
		{"concurrency", concurrencyTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
			}
		})
	}
}

type storeTest struct {
	name string
	run  func(t *testing.T, s ports.Store)
}

// bothWays runs body against the store itself, then inside a
// transaction, so that every method is exercised both ways.
func bothWays(t *testing.T, s ports.Store, body func(t *testing.T, tx ports.Tx)) {
	t.Helper()
	t.Run("direct", func(t *testing.T) { body(t, s) })
	t.Run("in a transaction", func(t *testing.T) {
		require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error {
			body(t, tx)
			return nil
		}))
	})
}

// inTx runs fn in a transaction that must commit.
func inTx(t *testing.T, s ports.Store, fn func(tx ports.Tx)) {
	t.Helper()
	require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error {
		fn(tx)
		return nil
	}))
}

func requireCode(t *testing.T, want domain.Code, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	require.Equal(t, want, domain.ErrorCode(err), "%s: error %v", what, err)
}

func requireNotFound(t *testing.T, err error, what string) {
	t.Helper()
	requireCode(t, domain.NotFound, err, what)
}

func requireConflict(t *testing.T, err error, what string) {
	t.Helper()
	requireCode(t, domain.Conflict, err, what)
}

func invoiceIDs(invs []domain.Invoice) []uuid.UUID {
	out := make([]uuid.UUID, len(invs))
	for i, inv := range invs {
		out[i] = inv.ID
	}
	return out
}

func paymentIDs(ps []domain.Payment) []uuid.UUID {
	out := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func messageIDs(ms []domain.Message) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// sortedIDs returns ids sorted, for comparisons of unordered results.
func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return cmp.Compare(a.String(), b.String()) })
	return out
}

// requireConflictOn requires a Conflict error about field.
func requireConflictOn(t *testing.T, field string, err error, what string) {
	t.Helper()
	requireConflict(t, err, what)
	var de *domain.Error
	require.True(t, errors.As(err, &de), what)
	assert.Equal(t, field, de.Field, what)
	assert.NotEmpty(t, de.Message, "%s: a message for the reader", what)
}
