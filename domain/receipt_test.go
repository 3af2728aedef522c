package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func paidPayment(b domain.Biller, payer domain.Payer, invs ...domain.Invoice) domain.Payment {
	p := domain.Payment{ID: uuid.New(), BillerID: b.ID, PayerID: payer.ID, Refdet: "PF2026ABCDEF", State: domain.PaymentPaid,
		Confirmed: true, Saisie: domain.SaisieProduction, OperationID: "op-123", Authorization: "A55A",
		TransactionAt: time.Date(2026, 12, 5, 17, 24, 0, 0, time.UTC), Method: domain.MethodCard}
	for _, inv := range invs {
		p.InvoiceIDs = append(p.InvoiceIDs, inv.ID)
		p.Total = p.Total.Add(inv.Amount)
	}
	return p
}

func TestPaymentReceipt(t *testing.T) {
	b := mustBiller(t)
	payer := mustPayer(t, b)
	i1 := mustInvoice(t, b, payer, "F-2", "10.10")
	i2 := mustInvoice(t, b, payer, "F-1", "0.20")
	p := paidPayment(b, payer, i1, i2)
	r, err := domain.NewPaymentReceipt(b, payer, p, []domain.Invoice{i1, i2})
	require.NoError(t, err)
	require.Equal(t, domain.ReceiptOnline, r.Kind)
	require.True(t, dec("10.30").Equal(r.Total))
	require.Equal(t, "F-1", r.Lines[0].Number)
	require.Equal(t, "carte bancaire", r.Lines[0].Means)
	require.Equal(t, "op-123", r.Transaction)
	require.Equal(t, "A55A", r.Authorization)
	require.Equal(t, "PF2026ABCDEF", r.Reference)
	require.Equal(t, "05/12/2026 à 18h24", domain.FrenchDateTime(r.PaidAt))
	require.Equal(t, "recu-PF2026ABCDEF.pdf", r.FileName())

	for name, mutate := range map[string]func(*domain.Payment){
		"test saisie":    func(p *domain.Payment) { p.Saisie = domain.SaisieTest },
		"test echoed":    func(p *domain.Payment) { p.ReportedSaisie = domain.SaisieTest },
		"test state":     func(p *domain.Payment) { p.State = domain.PaymentTest },
		"unconfirmed":    func(p *domain.Payment) { p.Confirmed = false },
		"refused":        func(p *domain.Payment) { p.State = domain.PaymentRefused },
		"another payer":  func(p *domain.Payment) { p.PayerID = uuid.New() },
		"another biller": func(p *domain.Payment) { p.BillerID = uuid.New() },
	} {
		q := p
		mutate(&q)
		_, err := domain.NewPaymentReceipt(b, payer, q, []domain.Invoice{i1, i2})
		require.ErrorIs(t, err, domain.ErrNoReceipt, name)
	}
	other := mustInvoice(t, b, payer, "F-9", "1")
	_, err = domain.NewPaymentReceipt(b, payer, p, []domain.Invoice{i1, other})
	require.Equal(t, domain.Internal, domain.ErrorCode(err))
}

func TestRecordedReceipt(t *testing.T) {
	b := mustBiller(t)
	payer := mustPayer(t, b)
	inv := mustInvoice(t, b, payer, "F-3", "42.00")
	_, err := domain.NewRecordedReceipt(b, payer, inv)
	require.ErrorIs(t, err, domain.ErrNoReceipt, "unpaid")
	inv.State, inv.PaidAt = domain.InvoicePaid, now
	r, err := domain.NewRecordedReceipt(b, payer, inv)
	require.NoError(t, err)
	require.Equal(t, domain.ReceiptRecorded, r.Kind)
	require.Contains(t, r.Kind.Label(), "hors du portail")
	require.Empty(t, r.Transaction)
	inv.PaymentID = uuid.New()
	_, err = domain.NewRecordedReceipt(b, payer, inv)
	require.ErrorIs(t, err, domain.ErrNoReceipt, "paid online: the payment's receipt")
}

func TestCertificate(t *testing.T) {
	b := mustBiller(t)
	payer := mustPayer(t, b)
	s := domain.CertificateSettings{Offered: true, Title: "Attestation de paiement des frais de garde {année}", ObjectContains: "crèche"}
	require.NoError(t, s.Check())
	in := func(y int, m time.Month, obj, amount string) domain.DocumentLine {
		return domain.DocumentLine{PaidAt: time.Date(y, m, 3, 10, 0, 0, 0, domain.Paris), Number: obj + amount, Object: obj, Amount: dec(amount)}
	}
	lines := []domain.DocumentLine{
		in(2025, 3, "Crèche mars", "100.10"), in(2025, 1, "CRÈCHE janvier", "50"), in(2025, 2, "Cantine", "9"),
		in(2024, 12, "Crèche", "7"),
		{PaidAt: time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), Number: "N", Object: "crèche", Amount: dec("1")}, // 2026 in Paris
	}
	c, err := domain.NewCertificate(b, s, payer, 2025, lines, now)
	require.NoError(t, err)
	require.Equal(t, "Attestation de paiement des frais de garde 2025", c.Title)
	require.Len(t, c.Lines, 2)
	require.Equal(t, "CRÈCHE janvier", c.Lines[0].Object)
	require.True(t, dec("150.10").Equal(c.Total))

	_, err = domain.NewCertificate(b, s, payer, 2026, lines, now)
	require.ErrorIs(t, err, domain.ErrNoCertificate, "the year is not over")
	_, err = domain.NewCertificate(b, s, payer, 2023, lines, now)
	require.ErrorIs(t, err, domain.ErrNoCertificate, "nothing paid")
	s.Offered = false
	_, err = domain.NewCertificate(b, s, payer, 2025, lines, now)
	require.ErrorIs(t, err, domain.ErrNoCertificate, "not offered")
	require.Error(t, domain.CertificateSettings{Offered: true}.Check())
}

func TestVerificationCode(t *testing.T) {
	random := make([]byte, domain.VerificationRandomBytes)
	for i := range random {
		random[i] = byte(i * 7)
	}
	c := domain.NewVerificationCode(random)
	require.Len(t, c, 14)
	require.Regexp(t, `^[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}$`, c)
	require.Equal(t, c, domain.NormalizeVerificationCode(" "+lower(c[:7])+c[7:]))
	require.Equal(t, c, domain.NormalizeVerificationCode(removeDashes(c)))
	require.Empty(t, domain.NormalizeVerificationCode(c[:13]))
	require.Empty(t, domain.NormalizeVerificationCode("O"+c[1:]), "ambiguous letter")
	require.Empty(t, domain.NewVerificationCode(make([]byte, 11)))
	biased := make([]byte, 64)
	for i := range biased {
		biased[i] = 255
	}
	require.Empty(t, domain.NewVerificationCode(biased), "bytes above the unbiased limit are skipped")
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func removeDashes(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
