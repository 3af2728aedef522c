package ports

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// MaxSettlementReport bounds the size of an uploaded settlement report.
const MaxSettlementReport = 20 << 20

// SettlementResult is what applying a settlement report did.
type SettlementResult struct {
	// From and To are the period the report covers.
	From, To domain.Date
	// Lines is the number of operations in the report.
	Lines int
	// Matched is the number of lines that match a paid portal payment.
	Matched int
	// Confirmed is the number of payments, paid on the word of an
	// unauthenticated callback, that the report confirmed.
	Confirmed int
	// Mismatches are the findings the billing service must look at, in
	// the report's order, then the portal payments the report misses.
	Mismatches []domain.SettlementMatch
}

// ApplySettlementReport reads the DGFiP's settlement report (relevé des
// opérations PayFiP, domain.ParseSettlementReport) and matches it with
// the actor's biller's payments (domain.MatchSettlement), in one
// transaction: a line that matches a paid payment confirms it (the
// legacy URL mode's unconfirmed payments leave the list awaiting
// confirmation); every mismatch is written in its payment's Anomaly and
// timeline; the upload is audited. Nothing is settled or reopened: the
// service decides. Uploading the same report again changes nothing more.
func (p BackOfficePayments) ApplySettlementReport(ctx context.Context, a Actor, r io.Reader) (SettlementResult, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return SettlementResult{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSettlementReport+1))
	if err != nil {
		return SettlementResult{}, domain.WrapInternal(err)
	}
	if len(data) > MaxSettlementReport {
		return SettlementResult{}, domain.FieldError("report", fmt.Sprintf("Le relevé dépasse %d Mo.", MaxSettlementReport>>20))
	}
	rep, err := domain.ParseSettlementReport(data)
	if err != nil {
		return SettlementResult{}, err
	}
	var res SettlementResult
	doubles := 0
	err = p.store.Atomic(ctx, func(tx Tx) error {
		res = SettlementResult{From: rep.From, To: rep.To, Lines: len(rep.Lines)}
		s := settlementRun{p: p.core, tx: tx, biller: a.BillerID, locked: map[uuid.UUID]*domain.Payment{}, changed: map[uuid.UUID]bool{}}
		cands, err := s.candidates(ctx, rep)
		if err != nil {
			return err
		}
		paid, err := s.paidInPeriod(ctx, rep)
		if err != nil {
			return err
		}
		byRefdet := func(refdet string) (domain.SettlementCandidate, bool) {
			c, ok := cands[refdet]
			return c, ok
		}
		for _, m := range domain.MatchSettlement(rep, a.BillerID, byRefdet, paid) {
			if m.Kind == domain.SettlementConfirmed {
				res.Matched++
			} else {
				res.Mismatches = append(res.Mismatches, m)
			}
			confirmed, err := s.apply(ctx, m)
			if err != nil {
				return err
			}
			if confirmed {
				res.Confirmed++
			}
		}
		if err := s.save(ctx); err != nil {
			return err
		}
		doubles = s.doubles
		return p.audit(ctx, tx, a, domain.AuditSettlementReport,
			fmt.Sprintf("Relevé du %s au %s", rep.From.French(), rep.To.French()),
			fmt.Sprintf("%d lignes : %d rapprochées dont %d paiements confirmés, %d anomalies.",
				res.Lines, res.Matched, res.Confirmed, len(res.Mismatches)))
	})
	if err != nil {
		return SettlementResult{}, err
	}
	p.countDoubles(ctx, doubles)
	if res.Confirmed > 0 {
		p.mailsQueued(ctx) // the receipts of the payments confirmed, and any double payment found
	}
	return res, nil
}

// settlementRun holds one report's application inside its transaction.
type settlementRun struct {
	p      *Portal
	tx     Tx
	biller uuid.UUID
	// locked are the biller's payments the run may change, locked.
	locked  map[uuid.UUID]*domain.Payment
	changed map[uuid.UUID]bool
	// doubles counts the double payments the confirmations met, for the
	// metrics once the run committed.
	doubles int
}

// candidates finds and locks the biller's payment of each refdet of the
// report, with its invoices. Another biller's payment is left out: the
// matching reports it as unknown.
func (s *settlementRun) candidates(ctx context.Context, rep domain.SettlementReport) (map[string]domain.SettlementCandidate, error) {
	out := make(map[string]domain.SettlementCandidate)
	for _, l := range rep.Lines {
		if _, done := out[l.Refdet]; done {
			continue
		}
		found, err := s.tx.PaymentByRefdet(ctx, l.Refdet)
		if err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				continue
			}
			return nil, domain.WrapInternal(err)
		}
		if found.BillerID != s.biller {
			continue
		}
		pay, err := s.lock(ctx, found.ID)
		if err != nil {
			return nil, err
		}
		c := domain.SettlementCandidate{Payment: *pay}
		for _, id := range pay.InvoiceIDs {
			inv, err := s.tx.Invoice(ctx, id)
			if err != nil {
				return nil, domain.WrapInternal(err)
			}
			c.Invoices = append(c.Invoices, inv)
		}
		out[l.Refdet] = c
	}
	return out, nil
}

// paidInPeriod lists the biller's paid payments that may have been paid
// within the report's period: those created from the day before it to
// its end (an operation completes within minutes of its creation,
// docs/payfip.md §3.9); the matching keeps those paid within the period.
func (s *settlementRun) paidInPeriod(ctx context.Context, rep domain.SettlementReport) ([]domain.Payment, error) {
	list, _, err := s.tx.Payments(ctx, PaymentQuery{
		BillerID: s.biller, States: []domain.PaymentState{domain.PaymentPaid},
		From: rep.From.AddDays(-1).Time(domain.Paris), Until: rep.To.AddDays(1).Time(domain.Paris),
	})
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return list, nil
}

func (s *settlementRun) lock(ctx context.Context, id uuid.UUID) (*domain.Payment, error) {
	if pay, ok := s.locked[id]; ok {
		return pay, nil
	}
	pay, err := s.tx.PaymentForUpdate(ctx, id)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	s.locked[id] = &pay
	return &pay, nil
}

// apply records one finding on its payment: a confirmation, or an
// anomaly, with a step in the timeline. It reports whether it confirmed
// a payment.
func (s *settlementRun) apply(ctx context.Context, m domain.SettlementMatch) (bool, error) {
	if m.PaymentID == uuid.Nil {
		return false, nil
	}
	pay, err := s.lock(ctx, m.PaymentID)
	if err != nil {
		return false, err
	}
	now := s.p.clock.Now()
	detail := m.Detail
	confirmed := false
	if m.Kind == domain.SettlementConfirmed {
		if confirmed, err = pay.Confirm(now); err != nil {
			return false, err
		}
		if confirmed {
			detail += " Paiement confirmé par le relevé."
			doubles, err := s.p.confirmed(ctx, s.tx, pay, now)
			if err != nil {
				return false, err
			}
			s.doubles += doubles
		}
	} else {
		if pay.Flag(m.Detail, now) {
			s.changed[pay.ID] = true
		}
		detail = "Anomalie du relevé de règlement : " + m.Detail
	}
	if confirmed {
		s.changed[pay.ID] = true
	}
	return confirmed, s.p.paymentEvent(ctx, s.tx, *pay, "", detail)
}

func (s *settlementRun) save(ctx context.Context) error {
	for id := range s.changed {
		if err := mapSave(s.tx.SavePayment(ctx, *s.locked[id])); err != nil {
			return err
		}
	}
	return nil
}
