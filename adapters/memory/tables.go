package memory

import (
	"bytes"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// tables holds the records and their secondary indexes. Every index is
// kept in step by the link and unlink hooks of its table, so a write and
// its undo maintain them the same way.
type tables struct {
	billers table[uuid.UUID, domain.Biller]

	payers       table[uuid.UUID, domain.Payer]
	payerByRef   map[scoped]uuid.UUID
	payerByEmail map[scoped]uuid.UUID // payers with an email only

	accounts       table[uuid.UUID, domain.Account]
	accountByEmail map[scoped]uuid.UUID
	accountByPayer map[uuid.UUID]uuid.UUID

	tokens          table[string, domain.Token]
	tokensByAccount map[uuid.UUID]set[string]

	invoices        table[uuid.UUID, domain.Invoice]
	invoiceByNumber map[scoped]uuid.UUID
	invoicesByPayer map[uuid.UUID]set[uuid.UUID]
	// unpaidByBiller holds the invoices in state unpaid, the only ones
	// InvoicesDueBefore looks at.
	unpaidByBiller map[uuid.UUID]set[uuid.UUID]

	payments           table[uuid.UUID, domain.Payment]
	paymentByRefdet    map[string]uuid.UUID
	paymentByOperation map[string]uuid.UUID // payments with an operation id only
	livePayments       set[uuid.UUID]

	messages         table[uuid.UUID, domain.Message]
	messagesByBiller map[uuid.UUID]set[uuid.UUID]

	outbox        table[uuid.UUID, ports.OutboxMail]
	outboxPending set[uuid.UUID]

	bo      backOffice
	refunds refunds
	notices notices
	secrets secrets

	verifications verifications
}

// init makes the empty tables. The hooks capture t, which must not move
// afterwards.
func (t *tables) init() {
	t.billers = newTable[uuid.UUID](func(domain.Biller) {}, func(domain.Biller) {})

	t.payerByRef = make(map[scoped]uuid.UUID)
	t.payerByEmail = make(map[scoped]uuid.UUID)
	t.payers = newTable[uuid.UUID](
		func(p domain.Payer) {
			t.payerByRef[scoped{p.BillerID, p.ExternalRef}] = p.ID
			if p.Email != "" {
				t.payerByEmail[scoped{p.BillerID, emailKey(p.Email)}] = p.ID
			}
		},
		func(p domain.Payer) {
			unindex(t.payerByRef, scoped{p.BillerID, p.ExternalRef}, p.ID)
			if p.Email != "" {
				unindex(t.payerByEmail, scoped{p.BillerID, emailKey(p.Email)}, p.ID)
			}
		})

	t.accountByEmail = make(map[scoped]uuid.UUID)
	t.accountByPayer = make(map[uuid.UUID]uuid.UUID)
	t.accounts = newTable[uuid.UUID](
		func(a domain.Account) {
			if a.Closed() {
				// A closed account frees its address and its payer
				// (ports.RetentionStore).
				return
			}
			if a.Email != "" {
				t.accountByEmail[scoped{a.BillerID, emailKey(a.Email)}] = a.ID
			}
			t.accountByPayer[a.PayerID] = a.ID
		},
		func(a domain.Account) {
			if a.Email != "" {
				unindex(t.accountByEmail, scoped{a.BillerID, emailKey(a.Email)}, a.ID)
			}
			unindex(t.accountByPayer, a.PayerID, a.ID)
		})

	t.tokensByAccount = make(map[uuid.UUID]set[string])
	t.tokens = newTable[string](
		func(tok domain.Token) { addTo(t.tokensByAccount, tok.AccountID, tok.Hash) },
		func(tok domain.Token) { removeFrom(t.tokensByAccount, tok.AccountID, tok.Hash) })

	t.invoiceByNumber = make(map[scoped]uuid.UUID)
	t.invoicesByPayer = make(map[uuid.UUID]set[uuid.UUID])
	t.unpaidByBiller = make(map[uuid.UUID]set[uuid.UUID])
	t.invoices = newTable[uuid.UUID](
		func(inv domain.Invoice) {
			t.invoiceByNumber[scoped{inv.BillerID, inv.Number}] = inv.ID
			addTo(t.invoicesByPayer, inv.PayerID, inv.ID)
			if inv.State == domain.InvoiceUnpaid {
				addTo(t.unpaidByBiller, inv.BillerID, inv.ID)
			}
		},
		func(inv domain.Invoice) {
			unindex(t.invoiceByNumber, scoped{inv.BillerID, inv.Number}, inv.ID)
			removeFrom(t.invoicesByPayer, inv.PayerID, inv.ID)
			removeFrom(t.unpaidByBiller, inv.BillerID, inv.ID)
		})

	t.paymentByRefdet = make(map[string]uuid.UUID)
	t.paymentByOperation = make(map[string]uuid.UUID)
	t.livePayments = make(set[uuid.UUID])
	t.payments = newTable[uuid.UUID](
		func(p domain.Payment) {
			t.paymentByRefdet[p.Refdet] = p.ID
			if p.OperationID != "" {
				t.paymentByOperation[p.OperationID] = p.ID
			}
			if p.Live() {
				t.livePayments[p.ID] = struct{}{}
			}
		},
		func(p domain.Payment) {
			unindex(t.paymentByRefdet, p.Refdet, p.ID)
			if p.OperationID != "" {
				unindex(t.paymentByOperation, p.OperationID, p.ID)
			}
			delete(t.livePayments, p.ID)
		})

	t.messagesByBiller = make(map[uuid.UUID]set[uuid.UUID])
	t.messages = newTable[uuid.UUID](
		func(m domain.Message) { addTo(t.messagesByBiller, m.BillerID, m.ID) },
		func(m domain.Message) { removeFrom(t.messagesByBiller, m.BillerID, m.ID) })

	t.bo.init()
	t.refunds.init()
	t.notices.init()
	t.secrets.init()
	t.verifications.init()
	t.outboxPending = make(set[uuid.UUID])
	t.outbox = newTable[uuid.UUID](
		func(m ports.OutboxMail) {
			if m.State == ports.OutboxPending {
				t.outboxPending[m.ID] = struct{}{}
			}
		},
		func(m ports.OutboxMail) { delete(t.outboxPending, m.ID) })
}

// unindex removes the entry k of a unique index if it still names id.
func unindex[K comparable](m map[K]uuid.UUID, k K, id uuid.UUID) {
	if m[k] == id {
		delete(m, k)
	}
}

// emailKey is the form under which emails are unique: the domain saves
// them normalised already, and the rule is case-insensitive whatever a
// caller passes.
func emailKey(email string) string { return domain.NormalizeEmail(email) }

// compareIDs orders ids, to break ties deterministically.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// page returns the part of list from offset, at most limit long; a limit
// of zero or less means no limit.
func page[T any](list []T, offset, limit int) []T {
	offset = max(offset, 0)
	if offset >= len(list) {
		return []T{}
	}
	list = list[offset:]
	if limit > 0 && limit < len(list) {
		list = list[:limit]
	}
	return slices.Clip(list)
}
