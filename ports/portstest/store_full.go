package portstest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The round-trip tests save records with every field set, then read them
// back. Each full record is checked to leave no field at its zero value,
// so that a field added to the domain fails the suite until a store keeps
// it. Instants are spread over time zones and carry microseconds.

// at returns Epoch moved by d, in Paris time: a store must give back the
// same instant, whatever zone it answers in.
func at(d time.Duration) time.Time { return Epoch.Add(d).In(domain.Paris) }

// requireFull fails unless every field of v is set, but those named in
// transient: fields the stores do not keep by design.
func requireFull(tb testing.TB, v any, transient ...string) {
	tb.Helper()
	zero := zeroFields(v)
	for _, name := range transient {
		for i, z := range zero {
			if z == name {
				zero = append(zero[:i], zero[i+1:]...)
				break
			}
		}
	}
	if len(zero) > 0 {
		tb.Fatalf("portstest: the full %T fixture leaves %v at zero: set them so the round trip covers them", v, zero)
	}
}

func fullBiller(tb testing.TB) domain.Biller {
	tb.Helper()
	b := NewBiller(tb)
	b.Saisie = domain.SaisieProduction
	b.Hosts = []string{"f" + b.ID.String()[:8] + ".factures.test", "www.f" + b.ID.String()[:8] + ".factures.test"}
	b.Notice = "Coupure d'eau le 3 avril."
	b.HomeText = "Bienvenue sur le portail des factures."
	b.MultiplePayments = true
	b.Suspension = domain.Suspension{Active: true, Message: "Maintenance", From: at(time.Hour), Until: at(3 * time.Hour)}
	b.TreasuryDelayDays = 45
	b.MinPasswordLength = 12
	b.LockDuration = 90 * time.Minute
	b.MinAmount = decimal.RequireFromString("2.5")
	b.MaxAmount = decimal.RequireFromString("1500.00")
	b.UpdatedAt = at(time.Minute)
	b.Reminders = domain.Reminders{Enabled: true, DaysBefore: 3, AfterEnabled: true, DaysAfter: 10}
	b.Certificate = domain.CertificateSettings{Offered: true, Title: "Attestation de paiement des frais de garde {année}",
		LegalText: "Article 200 quater B du code général des impôts.", ObjectContains: "crèche"}
	// PayFiPMode is the instance's configuration, set by the use cases
	// and never stored.
	requireFull(tb, b, "PayFiPMode")
	return b
}

// sparseBiller is b with every optional field back at zero.
func sparseBiller(b domain.Biller) domain.Biller {
	b.Notice, b.HomeText, b.Email = "", "", ""
	b.Hosts = nil
	b.MultiplePayments = false
	b.Suspension = domain.Suspension{}
	b.TreasuryDelayDays = 0
	b.Reminders = domain.Reminders{}
	b.Certificate = domain.CertificateSettings{}
	return b
}

func fullPayer(tb testing.TB, b domain.Biller, ref string) domain.Payer {
	tb.Helper()
	p := NewPayer(tb, b, ref)
	p.Paperless = true
	p.PaperlessRequestedAt = at(2 * time.Hour)
	p.UpdatedAt = at(2 * time.Hour).UTC()
	requireFull(tb, p)
	return p
}

func fullAccount(tb testing.TB, p domain.Payer) domain.Account {
	tb.Helper()
	a := NewAccount(tb, p)
	a.SetPassword("$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", at(time.Hour))
	a.LastLoginAt = at(5 * time.Hour)
	a.NoticesOff, a.RemindersOff = true, true
	// Not a state the domain makes (an active account is not closed):
	// the round trip covers the columns; store_suite_retention.go reads
	// closed accounts.
	a.ClosedAt, a.AnonymisedAt = at(6*time.Hour), at(7*time.Hour)
	requireFull(tb, a)
	return a
}

func fullToken(tb testing.TB, a domain.Account) domain.Token {
	tb.Helper()
	t, _ := NewToken(tb, a, domain.TokenEmailChange)
	t.NewEmail = "nouvelle@exemple.fr"
	t.CreatedAt = at(0)
	t.UsedAt = at(time.Minute)
	t.RevokedAt = at(2 * time.Minute)
	requireFull(tb, t)
	return t
}

// fullInvoice returns inv with every field set; payment must be a saved
// payment, since a store may check the reference.
func fullInvoice(tb testing.TB, inv domain.Invoice, payment uuid.UUID) domain.Invoice {
	tb.Helper()
	inv.IssueDate = domain.NewDate(2024, time.February, 29)
	inv.DueDate = domain.NewDate(2024, time.December, 31)
	inv.Amount = decimal.RequireFromString("1234.5")
	inv.PDF = "factures/2024/F-0001.pdf"
	inv.State = domain.InvoicePaid
	inv.PaidAt = at(time.Hour)
	inv.PaymentID = payment
	inv.DeclaredPaidAt = at(-time.Hour)
	inv.TreasuryAt = at(-2 * time.Hour)
	inv.LockedBy = payment
	inv.LockedUntil = at(2 * time.Hour)
	inv.AwaitingConfirmation = true
	inv.UpdatedAt = at(time.Hour)
	requireFull(tb, inv)
	return inv
}

func fullPayment(tb testing.TB, p domain.Payment) domain.Payment {
	tb.Helper()
	p.State = domain.PaymentPaid
	p.OperationID = "op-" + p.Refdet
	p.Authorization = "123456"
	p.TransactionAt = at(10 * time.Minute)
	p.Method = domain.MethodDirectDebit
	p.Confirmed = true
	p.AbandonReportedAt = at(5 * time.Minute)
	p.Anomaly = "La facture F-0001 était déjà réglée par un autre paiement."
	p.LastCode = "V"
	p.UpdatedAt = at(11 * time.Minute)
	p.FinishedAt = at(11 * time.Minute)
	p.Saisie = domain.SaisieProduction
	p.ReportedSaisie = domain.SaisieActivation
	p.LockedUntil = at(2 * time.Hour)
	requireFull(tb, p)
	return p
}

func fullMessage(tb testing.TB, a domain.Account) domain.Message {
	tb.Helper()
	m := NewMessage(tb, a, "Question sur ma facture", at(time.Hour))
	m.Kind = domain.MessagePaperless
	m.State = domain.MessageHandled
	m.HandledAt = at(30 * time.Hour)
	requireFull(tb, m)
	return m
}

func fullSession(tb testing.TB, account uuid.UUID, biller uuid.UUID, secret string) ports.Session {
	tb.Helper()
	s := ports.Session{
		ID: domain.HashSecret(secret), BillerID: biller, AccountID: account,
		CSRFToken: "csrf-" + secret, NoticeClosed: true, Persistent: true, Staff: true,
		CreatedAt: at(0), ExpiresAt: at(30 * 24 * time.Hour),
	}
	requireFull(tb, s)
	return s
}

func fullStaff(tb testing.TB, b domain.Biller, email string) domain.Staff {
	tb.Helper()
	s, err := domain.NewStaff(uuid.New(), b.ID, email, "Agnès Comptable", domain.RoleManager, at(0))
	if err != nil {
		tb.Fatalf("portstest: staff %q: %v", email, err)
	}
	s.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
	s.Disabled = true
	s.LastLoginAt = at(3 * time.Hour)
	s.UpdatedAt = at(4 * time.Hour).UTC()
	requireFull(tb, s)
	return s
}

// sparseStaff is s with every optional field back at zero.
func sparseStaff(s domain.Staff) domain.Staff {
	s.Name, s.PasswordHash = "", ""
	s.Role = domain.RoleReader
	s.Disabled = false
	s.LastLoginAt = time.Time{}
	return s
}

func fullAPIKey(tb testing.TB, b domain.Biller) domain.APIKey {
	tb.Helper()
	random := make([]byte, domain.APIKeyRandomBytes)
	_, _ = rand.Read(random) // never fails (crypto/rand)
	k, _, err := domain.NewAPIKey(uuid.New(), b.ID, "Logiciel de facturation", "admin@ville.fr", random, at(time.Hour))
	if err != nil {
		tb.Fatalf("portstest: API key: %v", err)
	}
	k.RevokedAt = at(3 * time.Hour)
	k.LastUsedAt = at(2 * time.Hour)
	k.NonceHash = domain.HashSecret(domain.NewAPIKeyNonce(random[:domain.APIKeyNonceBytes]))
	requireFull(tb, k)
	return k
}

func fullAuditEvent(tb testing.TB, b domain.Biller, action domain.AuditAction, when time.Time) domain.AuditEvent {
	tb.Helper()
	e := domain.AuditEvent{
		ID: uuid.New(), BillerID: b.ID, At: when, Actor: domain.ActorStaff, ActorID: uuid.New(),
		ActorLabel: "Agnès Comptable <agnes@testville.fr>", Action: action, Target: "2024-0001",
		Detail: "Facture marquée réglée.", IP: "2001:db8::1",
	}
	requireFull(tb, e)
	return e
}

func fullDocument(tb testing.TB, b domain.Biller, name string) domain.Document {
	tb.Helper()
	data := []byte("%PDF-1.7\n\x00\x01\xff binaire " + name + "\n%%EOF")
	d := domain.Document{BillerID: b.ID, Name: name, SHA256: domain.HashSecret(string(data)), Data: data, CreatedAt: at(time.Hour)}
	requireFull(tb, d)
	return d
}

func fullPaymentEvent(tb testing.TB, p domain.Payment, when time.Time) domain.PaymentEvent {
	tb.Helper()
	e := domain.PaymentEvent{
		ID: uuid.New(), PaymentID: p.ID, BillerID: p.BillerID, At: when, State: domain.PaymentPaid,
		Code: "P", Detail: "Paiement accepté par la DGFiP.",
	}
	requireFull(tb, e)
	return e
}
