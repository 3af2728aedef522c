package portstest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Epoch is the instant the fixtures are dated from. It has microseconds
// and no finer part, because PostgreSQL keeps microseconds: a store that
// keeps less must fail the contract suite.
var Epoch = time.Date(2025, time.March, 14, 9, 30, 15, 123456000, time.UTC)

// Builders return valid records with fresh ids, ready to save or to
// change first. They never touch a store; the MustSave helpers do.

// NewBiller returns a valid biller with the default settings, created at
// Epoch: "Service des eaux de Testville", PayFiP client 004200, test
// environment.
func NewBiller(tb testing.TB) domain.Biller {
	tb.Helper()
	b, err := domain.NewBiller(uuid.New(), "Service des eaux de Testville", "004200", "eau@testville.fr", Epoch)
	if err != nil {
		tb.Fatalf("portstest.NewBiller: %v", err)
	}
	return b
}

// NewPayer returns a payer of b with external reference ref, named after
// it, whose email is ref lower-cased @exemple.fr. ref must be letters,
// digits, dots or hyphens.
func NewPayer(tb testing.TB, b domain.Biller, ref string) domain.Payer {
	tb.Helper()
	p := domain.Payer{
		ID: uuid.New(), BillerID: b.ID, ExternalRef: ref, Name: "Redevable " + ref,
		Email:     domain.NormalizeEmail(ref + "@exemple.fr"),
		CreatedAt: Epoch, UpdatedAt: Epoch,
	}
	if err := p.Validate(); err != nil {
		tb.Fatalf("portstest.NewPayer(%q): %v", ref, err)
	}
	return p
}

// NewAccount returns the pending account of p, with p's email, created at
// Epoch.
func NewAccount(tb testing.TB, p domain.Payer) domain.Account {
	tb.Helper()
	if p.Email == "" {
		tb.Fatalf("portstest.NewAccount: payer %s has no email", p.ExternalRef)
	}
	return domain.NewAccount(uuid.New(), p, Epoch)
}

// NewToken returns an open token of a for purpose, created at Epoch and
// valid for a day, with its secret (the part a link carries).
func NewToken(tb testing.TB, a domain.Account, purpose domain.TokenPurpose) (domain.Token, string) {
	tb.Helper()
	random := make([]byte, domain.TokenBytes)
	_, _ = rand.Read(random) // never fails (crypto/rand)
	t, secret, err := domain.NewToken(random, a.ID, purpose, Epoch, 24*time.Hour)
	if err != nil {
		tb.Fatalf("portstest.NewToken: %v", err)
	}
	return t, secret
}

// NewInvoice returns an unpaid invoice of p numbered number for amount
// euros ("243.11"), issued ten days before Epoch and due twenty days
// after it.
func NewInvoice(tb testing.TB, p domain.Payer, number, amount string) domain.Invoice {
	tb.Helper()
	d, err := decimal.NewFromString(amount)
	if err != nil {
		tb.Fatalf("portstest.NewInvoice: amount %q: %v", amount, err)
	}
	today := domain.Today(Epoch)
	inv := domain.Invoice{
		ID: uuid.New(), BillerID: p.BillerID, PayerID: p.ID, Number: number,
		IssueDate: today.AddDays(-10), DueDate: today.AddDays(20), Amount: d,
		Object: "Multi Services", State: domain.InvoiceUnpaid, CreatedAt: Epoch, UpdatedAt: Epoch,
	}
	if err := inv.Validate(); err != nil {
		tb.Fatalf("portstest.NewInvoice(%q): %v", number, err)
	}
	return inv
}

// NewPayment returns an attempt of account a to pay invoices of b, in
// state created at Epoch, with a fresh unique refdet. Unlike
// domain.NewPayment it checks nothing and does not lock the invoices:
// it builds payments in any situation a test needs.
func NewPayment(tb testing.TB, b domain.Biller, a domain.Account, invoices ...domain.Invoice) domain.Payment {
	tb.Helper()
	id := uuid.New()
	p := domain.Payment{
		ID: id, BillerID: b.ID, PayerID: a.PayerID, AccountID: a.ID,
		Refdet: strings.ToUpper(strings.ReplaceAll(id.String(), "-", ""))[:24],
		Numcli: b.Numcli, Year: Epoch.Year(), Total: decimal.Zero, Email: a.Email,
		State: domain.PaymentCreated, CreatedAt: Epoch, UpdatedAt: Epoch,
	}
	for _, inv := range invoices {
		p.InvoiceIDs = append(p.InvoiceIDs, inv.ID)
		p.InvoiceNumbers = append(p.InvoiceNumbers, inv.Number)
		p.Total = p.Total.Add(inv.Amount)
	}
	p.Object = domain.PaymentObject(b, p.InvoiceNumbers)
	return p
}

// NewMessage returns a contact message from a, sent at at.
func NewMessage(tb testing.TB, a domain.Account, subject string, at time.Time) domain.Message {
	tb.Helper()
	m, err := domain.NewContactMessage(uuid.New(), a, subject, "Bonjour, "+subject, at)
	if err != nil {
		tb.Fatalf("portstest.NewMessage(%q): %v", subject, err)
	}
	return m
}

// MustSaveBiller saves b through tx or fails tb.
func MustSaveBiller(tb testing.TB, tx ports.Tx, b domain.Biller) {
	tb.Helper()
	must(tb, "SaveBiller", tx.SaveBiller(tb.Context(), b))
}

// MustSavePayer saves p through tx or fails tb.
func MustSavePayer(tb testing.TB, tx ports.Tx, p domain.Payer) {
	tb.Helper()
	must(tb, "SavePayer", tx.SavePayer(tb.Context(), p))
}

// MustSaveAccount saves a through tx or fails tb.
func MustSaveAccount(tb testing.TB, tx ports.Tx, a domain.Account) {
	tb.Helper()
	must(tb, "SaveAccount", tx.SaveAccount(tb.Context(), a))
}

// MustSaveToken saves t through tx or fails tb.
func MustSaveToken(tb testing.TB, tx ports.Tx, t domain.Token) {
	tb.Helper()
	must(tb, "SaveToken", tx.SaveToken(tb.Context(), t))
}

// MustSaveInvoices saves every invoice through tx or fails tb.
func MustSaveInvoices(tb testing.TB, tx ports.Tx, invoices ...domain.Invoice) {
	tb.Helper()
	for _, inv := range invoices {
		must(tb, "SaveInvoice "+inv.Number, tx.SaveInvoice(tb.Context(), inv))
	}
}

// MustSavePayment saves p through tx or fails tb.
func MustSavePayment(tb testing.TB, tx ports.Tx, p domain.Payment) {
	tb.Helper()
	must(tb, "SavePayment", tx.SavePayment(tb.Context(), p))
}

// MustSaveMessage saves m through tx or fails tb.
func MustSaveMessage(tb testing.TB, tx ports.Tx, m domain.Message) {
	tb.Helper()
	must(tb, "SaveMessage", tx.SaveMessage(tb.Context(), m))
}

func must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// Household is a biller with one payer, the payer's active account and
// its unpaid invoices, as MustSeed saves them.
type Household struct {
	Biller   domain.Biller
	Payer    domain.Payer
	Account  domain.Account
	Invoices []domain.Invoice
}

// MustSeed saves through tx a fresh biller with one payer ("REF001",
// ref001@exemple.fr), its account made active with passwordHash, and n
// unpaid invoices numbered 2025-000001… for 10.01 €, 10.02 €… issued on
// successive days. It fails tb on any error.
func MustSeed(tb testing.TB, tx ports.Tx, passwordHash string, n int) Household {
	tb.Helper()
	h := Household{Biller: NewBiller(tb)}
	h.Payer = NewPayer(tb, h.Biller, "REF001")
	h.Account = NewAccount(tb, h.Payer)
	h.Account.SetPassword(passwordHash, Epoch)
	MustSaveBiller(tb, tx, h.Biller)
	MustSavePayer(tb, tx, h.Payer)
	MustSaveAccount(tb, tx, h.Account)
	for i := 1; i <= n; i++ {
		inv := NewInvoice(tb, h.Payer, fmt.Sprintf("2025-%06d", i), fmt.Sprintf("10.%02d", i%100))
		inv.IssueDate = inv.IssueDate.AddDays(i - n)
		h.Invoices = append(h.Invoices, inv)
	}
	MustSaveInvoices(tb, tx, h.Invoices...)
	return h
}
