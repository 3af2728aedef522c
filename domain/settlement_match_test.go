package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestMatchSettlement(t *testing.T) {
	biller := uuid.New()
	day := domain.NewDate(2026, 9, 10)
	at := day.Time(domain.Paris).Add(10 * time.Hour)
	paidInv := domain.Invoice{Number: "2026-001", State: domain.InvoicePaid}
	openInv := domain.Invoice{Number: "2026-002", State: domain.InvoiceUnpaid}
	pay := func(refdet, total string, state domain.PaymentState, confirmed bool, invs ...domain.Invoice) domain.SettlementCandidate {
		return domain.SettlementCandidate{
			Payment:  domain.Payment{ID: uuid.New(), BillerID: biller, Refdet: refdet, Total: dec(total), State: state, Confirmed: confirmed, TransactionAt: at},
			Invoices: invs,
		}
	}
	line := func(n int, refdet, amount string) domain.SettlementLine {
		return domain.SettlementLine{Line: n, Date: day, Refdet: refdet, Amount: dec(amount)}
	}
	foreign := pay("FOREIGN12345", "10.00", domain.PaymentPaid, true, paidInv)
	foreign.Payment.BillerID = uuid.New()

	tests := []struct {
		name     string
		lines    []domain.SettlementLine
		portal   []domain.SettlementCandidate
		paid     []domain.Payment // paid attempts of the period, beyond those of the lines
		want     []domain.SettlementKind
		contains string
	}{
		{"paid on both sides", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentPaid, true, paidInv)}, nil,
			[]domain.SettlementKind{domain.SettlementConfirmed}, "Présent au relevé"},
		{"paid unconfirmed on the portal: the report confirms it", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentPaid, false, paidInv)}, nil,
			[]domain.SettlementKind{domain.SettlementConfirmed}, ""},
		{"paid in the report, expired on the portal", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentExpired, false, openInv)}, nil,
			[]domain.SettlementKind{domain.SettlementPaidButOpen}, "non abouti"},
		{"paid in the report, rejected by the service", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentRejected, false, openInv)}, nil,
			[]domain.SettlementKind{domain.SettlementPaidButOpen}, "2026-002 Non réglée"},
		{"paid on both sides but an invoice reopened", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentPaid, true, paidInv, openInv)}, nil,
			[]domain.SettlementKind{domain.SettlementPaidButOpen}, "2026-002"},
		{"amounts differ", []domain.SettlementLine{line(7, "AAAAAA111111", "100.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentPaid, false, paidInv)}, nil,
			[]domain.SettlementKind{domain.SettlementAmountDiffers}, "100,00\u00a0€, le portail 10,00\u00a0€ (ligne 7)"},
		{"unknown refdet", []domain.SettlementLine{line(1, "ZZZZZZ999999", "10.00")}, nil, nil,
			[]domain.SettlementKind{domain.SettlementUnknown}, "inconnue"},
		{"another biller's refdet is unknown here", []domain.SettlementLine{line(1, "FOREIGN12345", "10.00")},
			[]domain.SettlementCandidate{foreign}, nil,
			[]domain.SettlementKind{domain.SettlementUnknown}, ""},
		{"a refdet listed twice", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00"), line(2, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentPaid, true, paidInv)}, nil,
			[]domain.SettlementKind{domain.SettlementConfirmed, domain.SettlementDuplicate}, ""},
		{"confirmed on the portal within the period, absent from the report", []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")},
			[]domain.SettlementCandidate{pay("AAAAAA111111", "10.00", domain.PaymentPaid, true, paidInv)},
			[]domain.Payment{pay("BBBBBB222222", "20.00", domain.PaymentPaid, true, paidInv).Payment},
			[]domain.SettlementKind{domain.SettlementConfirmed, domain.SettlementOpenButPaid}, "absent du relevé du 10/09/2026 au 10/09/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			byRefdet := func(r string) (domain.SettlementCandidate, bool) {
				for _, c := range tt.portal {
					if c.Payment.Refdet == r {
						return c, true
					}
				}
				return domain.SettlementCandidate{}, false
			}
			var paid []domain.Payment
			for _, c := range tt.portal {
				paid = append(paid, c.Payment)
			}
			paid = append(paid, tt.paid...)
			rep := domain.SettlementReport{Lines: tt.lines, From: day, To: day}
			got := domain.MatchSettlement(rep, biller, byRefdet, paid)
			kinds := make([]domain.SettlementKind, len(got))
			for i, m := range got {
				kinds[i] = m.Kind
			}
			assert.Equal(t, tt.want, kinds)
			if tt.contains != "" {
				assert.Contains(t, got[len(got)-1].Detail, tt.contains)
			}
		})
	}

	t.Run("a payment outside the period, unconfirmed or unpaid is not missing from the report", func(t *testing.T) {
		rep := domain.SettlementReport{Lines: []domain.SettlementLine{line(1, "AAAAAA111111", "10.00")}, From: day, To: day}
		before := pay("BEFORE123456", "5.00", domain.PaymentPaid, true).Payment
		before.TransactionAt = day.Time(domain.Paris).Add(-time.Minute) // 23:59 the day before, Paris time
		unconfirmed := pay("UNCONF123456", "5.00", domain.PaymentPaid, false).Payment
		refused := pay("REFUSE123456", "5.00", domain.PaymentRefused, true).Payment
		got := domain.MatchSettlement(rep, biller, func(string) (domain.SettlementCandidate, bool) { return domain.SettlementCandidate{}, false },
			[]domain.Payment{before, unconfirmed, refused})
		require.Len(t, got, 1)
		assert.Equal(t, domain.SettlementUnknown, got[0].Kind)
	})
	t.Run("labels say every kind in French", func(t *testing.T) {
		for _, k := range []domain.SettlementKind{domain.SettlementConfirmed, domain.SettlementPaidButOpen, domain.SettlementOpenButPaid,
			domain.SettlementAmountDiffers, domain.SettlementUnknown, domain.SettlementDuplicate} {
			assert.NotEqual(t, string(k), k.Label())
			assert.Equal(t, k != domain.SettlementConfirmed, k.Mismatch())
		}
	})
}
