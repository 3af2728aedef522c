package domain

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// SettlementKind is what the settlement report says of one payment,
// compared with the portal.
type SettlementKind string

// The outcomes of matching a settlement report with the portal.
const (
	// SettlementConfirmed: paid in the report and on the portal, same
	// amount. It confirms a payment known only from an unauthenticated
	// callback (legacy URL mode).
	SettlementConfirmed SettlementKind = "confirmed"
	// SettlementPaidButOpen: the report says paid, but the portal has the
	// attempt unpaid or one of its invoices open.
	SettlementPaidButOpen SettlementKind = "paid_but_open"
	// SettlementOpenButPaid: the portal has a confirmed payment within the
	// report's period that the report does not list.
	SettlementOpenButPaid SettlementKind = "open_but_paid"
	// SettlementAmountDiffers: the report and the portal disagree on the
	// amount of one refdet.
	SettlementAmountDiffers SettlementKind = "amount_differs"
	// SettlementUnknown: the report lists a refdet no payment of this
	// biller has.
	SettlementUnknown SettlementKind = "unknown"
	// SettlementDuplicate: the report lists a refdet a second time.
	SettlementDuplicate SettlementKind = "duplicate"
)

// Label says the kind in French.
func (k SettlementKind) Label() string {
	switch k {
	case SettlementConfirmed:
		return "Confirmé"
	case SettlementPaidButOpen:
		return "Réglé au relevé, non réglé sur le portail"
	case SettlementOpenButPaid:
		return "Réglé sur le portail, absent du relevé"
	case SettlementAmountDiffers:
		return "Montant différent"
	case SettlementUnknown:
		return "Référence inconnue du portail"
	case SettlementDuplicate:
		return "Ligne en double"
	}
	return string(k)
}

// Mismatch reports whether the billing service must look at it.
func (k SettlementKind) Mismatch() bool { return k != SettlementConfirmed }

// SettlementMatch is the result for one line of the report, or for one
// portal payment the report misses.
type SettlementMatch struct {
	Kind SettlementKind
	// Line is the report's line number; 0 for SettlementOpenButPaid.
	Line   int
	Date   Date // the report's date; the payment's date for OpenButPaid
	Refdet string
	// ReportAmount is the report's amount (zero for OpenButPaid).
	ReportAmount decimal.Decimal
	// PaymentID is the portal's attempt with this refdet, or Nil.
	PaymentID uuid.UUID
	// PortalAmount is that attempt's total.
	PortalAmount decimal.Decimal
	// Detail says the finding in French, for the back office and for the
	// payment's Anomaly.
	Detail string
}

// HasPayment reports whether the finding concerns a portal payment.
func (m SettlementMatch) HasPayment() bool { return m.PaymentID != uuid.Nil }

// SettlementCandidate is a portal payment as the matching sees it: the
// attempt and its invoices.
type SettlementCandidate struct {
	Payment  Payment
	Invoices []Invoice
}

// MatchSettlement compares a settlement report with the biller's
// payments. byRefdet finds the attempt of a refdet (false when none);
// paid lists the biller's paid attempts whose transaction falls within
// the report's period or near it. Attempts of another biller are
// unknown. It returns one match per report line, in file order, then
// one per confirmed portal payment of the period the report misses.
func MatchSettlement(rep SettlementReport, billerID uuid.UUID, byRefdet func(string) (SettlementCandidate, bool), paid []Payment) []SettlementMatch {
	var out []SettlementMatch
	seen := make(map[string]bool, len(rep.Lines))
	for _, l := range rep.Lines {
		m := SettlementMatch{Line: l.Line, Date: l.Date, Refdet: l.Refdet, ReportAmount: l.Amount}
		c, ok := byRefdet(l.Refdet)
		if ok && c.Payment.BillerID != billerID {
			ok = false
		}
		if ok {
			m.PaymentID, m.PortalAmount = c.Payment.ID, c.Payment.Total
		}
		switch {
		case seen[l.Refdet]:
			m.Kind = SettlementDuplicate
			m.Detail = fmt.Sprintf("Le relevé liste une deuxième fois la référence %s (ligne %d).", l.Refdet, l.Line)
		case !ok:
			m.Kind = SettlementUnknown
			m.Detail = fmt.Sprintf("Le relevé liste un règlement de %s le %s sous une référence inconnue du portail (ligne %d).",
				FormatEuros(l.Amount), l.Date.French(), l.Line)
		case !l.Amount.Equal(c.Payment.Total):
			m.Kind = SettlementAmountDiffers
			m.Detail = fmt.Sprintf("Le relevé du %s indique %s, le portail %s (ligne %d).",
				l.Date.French(), FormatEuros(l.Amount), FormatEuros(c.Payment.Total), l.Line)
		case c.open():
			m.Kind = SettlementPaidButOpen
			m.Detail = fmt.Sprintf("Le relevé du %s indique ce paiement comme réglé, mais le portail l'a « %s »%s (ligne %d).",
				l.Date.French(), c.Payment.State.Label(), c.openInvoices(), l.Line)
		default:
			m.Kind = SettlementConfirmed
			m.Detail = fmt.Sprintf("Présent au relevé de règlement du %s (ligne %d).", l.Date.French(), l.Line)
		}
		seen[l.Refdet] = true
		out = append(out, m)
	}
	for _, p := range paid {
		if p.BillerID != billerID || p.State != PaymentPaid || !p.Confirmed || seen[p.Refdet] {
			continue
		}
		d := Today(p.paidAt())
		if d.Before(rep.From) || d.After(rep.To) {
			continue
		}
		seen[p.Refdet] = true
		out = append(out, SettlementMatch{
			Kind: SettlementOpenButPaid, Date: d, Refdet: p.Refdet, PaymentID: p.ID, PortalAmount: p.Total,
			Detail: fmt.Sprintf("Paiement de %s du %s confirmé sur le portail mais absent du relevé du %s au %s.",
				FormatEuros(p.Total), d.French(), rep.From.French(), rep.To.French()),
		})
	}
	return out
}

// paidAt is when the money moved: the DGFiP's transaction time, or when
// the portal learnt it.
func (p Payment) paidAt() time.Time {
	if !p.TransactionAt.IsZero() {
		return p.TransactionAt
	}
	return p.FinishedAt
}

// open reports whether the portal does not have the candidate as paid:
// the attempt is not paid, or one of its invoices is not settled.
func (c SettlementCandidate) open() bool {
	if c.Payment.State != PaymentPaid {
		return true
	}
	for _, inv := range c.Invoices {
		if inv.State != InvoicePaid {
			return true
		}
	}
	return false
}

func (c SettlementCandidate) openInvoices() string {
	s := ""
	for _, inv := range c.Invoices {
		if inv.State != InvoicePaid {
			if s != "" {
				s += ", "
			}
			s += inv.Number + " " + inv.State.Label()
		}
	}
	if s == "" {
		return ""
	}
	return " (facture " + s + ")"
}
