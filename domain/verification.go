package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// verificationAlphabet has no ambiguous characters (no 0/O, 1/I/L, 2/Z,
// 5/S, 8/B, U/V): 23 letters and digits, read aloud or typed without doubt.
const verificationAlphabet = "34679ACDEFGHJKMNPQRTWXY"

// VerificationCodeLength is the number of characters of a verification
// code, shown in groups of four: "K7MX-3QHD-9PWA". 23^12 ≈ 2^54 codes.
const VerificationCodeLength = 12

// VerificationRandomBytes is the number of random bytes
// NewVerificationCode needs: one per character, drawn without bias.
const VerificationRandomBytes = 64

// NewVerificationCode makes a code from random bytes (from crypto/rand),
// rejecting bytes that would bias the draw. It returns "" when random is
// too short to fill the code, which 64 bytes make vanishingly rare: the
// caller then draws again.
func NewVerificationCode(random []byte) string {
	n := len(verificationAlphabet)
	limit := 256 - 256%n
	var b strings.Builder
	count := 0
	for _, c := range random {
		if int(c) >= limit {
			continue
		}
		if count > 0 && count%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(verificationAlphabet[int(c)%n])
		count++
		if count == VerificationCodeLength {
			return b.String()
		}
	}
	return ""
}

// NormalizeVerificationCode reads what someone typed: case, spaces and
// dashes do not matter. It returns the code in its canonical form, or ""
// when the input cannot be a code.
func NormalizeVerificationCode(s string) string {
	var raw []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(verificationAlphabet, byte(r)) >= 0:
			raw = append(raw, byte(r))
		default:
			return ""
		}
	}
	if len(raw) != VerificationCodeLength {
		return ""
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// VerificationKind is the kind of document a code proves.
type VerificationKind string

// The verification kinds.
const (
	VerifyReceipt     VerificationKind = "receipt"
	VerifyCertificate VerificationKind = "certificate"
)

// Label says the kind in French, for the verification page.
func (k VerificationKind) Label() string {
	if k == VerifyCertificate {
		return "Attestation annuelle de paiement"
	}
	return "Reçu de paiement"
}

// Verification is what the public verification page may show of a
// document: its biller, payer's name, total and date, nothing else.
type Verification struct {
	Code     string
	BillerID uuid.UUID
	// Key names the document within its biller, so that the same document
	// asked twice keeps its code: ReceiptKey, RecordedReceiptKey,
	// CertificateKey.
	Key        string
	Kind       VerificationKind
	BillerName string
	PayerName  string
	Total      decimal.Decimal
	// Date is the document's date: the payment's instant for a receipt,
	// the day it was produced for a certificate.
	Date      time.Time
	CreatedAt time.Time
}

// ReceiptKey is the verification key of an online payment's receipt.
func ReceiptKey(paymentID uuid.UUID) string { return "receipt:" + paymentID.String() }

// RecordedReceiptKey is the key of the receipt of an invoice recorded as
// paid by the service.
func RecordedReceiptKey(invoiceID uuid.UUID) string { return "recorded:" + invoiceID.String() }

// CertificateKey is the key of a payer's certificate of year for a total:
// a certificate whose total changed (a late recorded payment) is another
// document, with its own code; the earlier one stays verifiable.
func CertificateKey(payerID uuid.UUID, year int, total decimal.Decimal) string {
	return fmt.Sprintf("certificate:%s:%d:%s", payerID, year, total.StringFixed(2))
}

// Verification returns what the page may show of r, under code.
func (r Receipt) Verification(code string, now time.Time) Verification {
	key := ReceiptKey(r.PaymentID)
	if r.Kind == ReceiptRecorded {
		key = RecordedReceiptKey(r.InvoiceID)
	}
	return Verification{Code: code, BillerID: r.BillerID, Key: key, Kind: VerifyReceipt, BillerName: r.BillerName,
		PayerName: r.PayerName, Total: r.Total, Date: r.PaidAt, CreatedAt: now}
}

// Verification returns what the page may show of c, under code.
func (c Certificate) Verification(code string, now time.Time) Verification {
	return Verification{Code: code, BillerID: c.BillerID, Key: CertificateKey(c.PayerID, c.Year, c.Total), Kind: VerifyCertificate,
		BillerName: c.BillerName, PayerName: c.PayerName, Total: c.Total, Date: c.IssuedAt, CreatedAt: now}
}
