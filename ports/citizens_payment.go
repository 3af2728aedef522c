package ports

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
	"github.com/shopspring/decimal"
)

// A citizen pays: the selection, the summary, starting the attempt at
// the DGFiP, and the attempt seen on return. What happens next (the
// DGFiP's notification, reconciliation) is Jobs' (jobs_payments.go); the
// invoices are settled or released by core_settle.go.

// Selection is the manual's selection screen: the invoices the payer may
// pay now, and whether several may be chosen.
type Selection struct {
	PayerName string
	Invoices  []domain.Invoice
	Multiple  bool
	// Suspended is the service's suspension message while online payment
	// is suspended (then Invoices is empty); "" otherwise.
	Suspended string
	// Refused are the unpaid invoices that cannot be paid online because
	// of their amount alone, each with the French reason.
	Refused []RefusedInvoice
}

// RefusedInvoice is an invoice the selection screen cannot offer, and why.
type RefusedInvoice struct {
	Invoice domain.Invoice
	Reason  string
}

// PayableInvoices lists the caller's invoices that may be paid now.
func (p Citizens) PayableInvoices(ctx context.Context, c Citizen) (Selection, error) {
	_, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return Selection{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return Selection{}, domain.WrapInternal(err)
	}
	b = p.withMode(b)
	now := p.clock.Now()
	sel := Selection{PayerName: payer.Name, Multiple: b.MultiplePayments, Suspended: b.Suspension.Notice(now)}
	for offset := 0; ; offset += MaxPerPage {
		page, total, err := p.store.ListInvoices(ctx, InvoiceQuery{PayerID: payer.ID, Tab: domain.TabUnpaid, Offset: offset, Limit: MaxPerPage})
		if err != nil {
			return Selection{}, domain.WrapInternal(err)
		}
		for _, inv := range page {
			if inv.Payable(b, now) == nil {
				sel.Invoices = append(sel.Invoices, inv)
			} else if err := inv.AmountPayable(b); err != nil {
				sel.Refused = append(sel.Refused, RefusedInvoice{Invoice: inv, Reason: domain.ErrorMessage(err)})
			}
		}
		if offset+MaxPerPage >= total || len(page) == 0 {
			break
		}
	}
	return sel, nil
}

// PaymentSummary is "Informations pour le paiement".
type PaymentSummary struct {
	Numcli   string // "Identifiant collectivité"
	Total    decimal.Decimal
	Invoices []domain.Invoice
	// LockDuration is how long an unfinished attempt blocks a new one
	// (the manual's "délai d'attente de 2 heures").
	LockDuration time.Duration
	// InTest is set while the biller is in PayFiP's test environment
	// (domain.Biller.InTest): the payment will take no money and leave
	// the invoices to pay, and the page says so.
	InTest bool
}

// PreparePayment checks a selection and returns its summary. Nothing is
// stored: the attempt begins only with StartPayment.
func (p Citizens) PreparePayment(ctx context.Context, c Citizen, ids []uuid.UUID) (PaymentSummary, error) {
	a, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return PaymentSummary{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return PaymentSummary{}, domain.WrapInternal(err)
	}
	b = p.withMode(b)
	invs := make([]domain.Invoice, 0, len(ids))
	for _, id := range ids {
		inv, err := p.store.Invoice(ctx, id)
		if err != nil {
			return PaymentSummary{}, notFoundAs(err, domain.ErrNotFound)
		}
		invs = append(invs, inv)
	}
	total, err := domain.CheckSelection(b, payer, invs, p.clock.Now())
	if err != nil {
		return PaymentSummary{}, err
	}
	// The address PayFiP would refuse is said here, before the citizen
	// clicks; StartPayment checks it again (domain.NewPayment).
	if _, err := domain.PayFiPEmail(a.Email); err != nil {
		return PaymentSummary{}, err
	}
	return PaymentSummary{Numcli: b.Numcli, Total: total, Invoices: invs, LockDuration: b.LockDuration, InTest: b.InTest()}, nil
}

// StartPayment is "Payer la facture sur le portail PayFiP": it stores the
// attempt and locks its invoices before anything else, creates the
// operation at the gateway (exactly once per attempt) and returns where
// to send the browser. Of two concurrent starts on one invoice, exactly
// one wins; the other gets a Conflict.
func (p Citizens) StartPayment(ctx context.Context, c Citizen, ids []uuid.UUID) (domain.Payment, Checkout, error) {
	id, err := p.newID()
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	raw, err := p.randomBytes(domain.RefdetRandomBytes)
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	refdet, err := domain.NewRefdet(raw)
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	// The account and payer as this request's session read them: a read
	// again inside the transaction would lock nothing and see no later.
	a, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	now := p.clock.Now()
	var pay domain.Payment
	var saisie domain.Saisie
	var site string
	err = p.store.Atomic(ctx, func(tx Tx) error {
		b, err := p.billerIn(ctx, tx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		b = p.withMode(b)
		saisie, site = b.Saisie, p.SiteURL(b)
		invs, err := tx.InvoicesForUpdate(ctx, ids)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		pay, err = domain.NewPayment(id, refdet, b, payer, a, invs, now)
		if err != nil {
			return err
		}
		e, err := p.newEvent(pay, "", createdDetail(pay, invs))
		if err != nil {
			return err
		}
		// The attempt, its invoices locked and its first step, in one write.
		_, err = tx.SavePaymentStep(ctx, PaymentStep{Payment: pay, Invoices: invs, Event: &e})
		return mapSave(err)
	})
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	p.observer.CountPayment(ctx, PaymentStarted)
	co, gerr := p.gateway.Start(ctx, PaymentRequest{
		PaymentID: pay.ID, Numcli: pay.Numcli, Saisie: saisie, Refdet: pay.Refdet, Year: pay.Year,
		Amount: pay.Total, Email: pay.Email, Object: pay.Object, SiteURL: site,
	})
	if gerr != nil {
		p.log.ErrorContext(ctx, "payment not created at the gateway", "payment", pay.ID, "err", gerr)
		// Keep the gateway's own code (PayFiP's R3, A2…) for the back
		// office when the error carries one.
		code := string(domain.ErrorCode(gerr))
		var gc interface{ GatewayCode() string }
		if errors.As(gerr, &gc) {
			code = gc.GatewayCode()
		}
		fail := func(pm *domain.Payment, now time.Time) bool { return pm.Fail(code, now) }
		if err := p.finish(ctx, pay.ID, fail, code, "La DGFiP a refusé de créer l'opération de paiement."); err != nil {
			p.log.ErrorContext(ctx, "failed payment not recorded", "payment", pay.ID, "err", err)
		}
		if domain.ErrorCode(gerr) == domain.Internal {
			return domain.Payment{}, Checkout{}, domain.WrapUnavailable(gerr)
		}
		return domain.Payment{}, Checkout{}, gerr
	}
	// The attempt as the first transaction wrote it is begun in one
	// write, if nothing changed it since (the reconciler may have closed
	// it meanwhile); otherwise it is read again, locked, as it stands.
	if begun, ok, err := p.beginAsWritten(ctx, pay, co.OperationID); err != nil {
		return domain.Payment{}, Checkout{}, err
	} else if ok {
		return begun, co, nil
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		cur, err := tx.PaymentForUpdate(ctx, pay.ID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if err := cur.Begin(co.OperationID, p.clock.Now()); err != nil {
			return err
		}
		pay = cur
		e, err := p.newEvent(cur, "", "Redevable envoyé sur le site de paiement de la DGFiP, opération "+co.OperationID+".")
		if err != nil {
			return err
		}
		_, err = tx.SavePaymentStep(ctx, PaymentStep{Payment: cur, Event: &e})
		return mapSave(err)
	})
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	return pay, co, nil
}

// beginAsWritten begins pay, as StartPayment's first transaction wrote
// it, in one write conditional on the stored attempt being still so
// (PaymentStep.Was); false when it changed since.
func (p Citizens) beginAsWritten(ctx context.Context, pay domain.Payment, operationID string) (domain.Payment, bool, error) {
	begun := pay
	if err := begun.Begin(operationID, p.clock.Now()); err != nil {
		return pay, false, nil // the locked path says why
	}
	e, err := p.newEvent(begun, "", "Redevable envoyé sur le site de paiement de la DGFiP, opération "+operationID+".")
	if err != nil {
		return pay, false, err
	}
	_, err = p.store.SavePaymentStep(ctx, PaymentStep{Payment: begun, Event: &e, Was: &pay})
	if errors.Is(err, ErrPaymentChanged) {
		return pay, false, nil
	}
	if err != nil {
		return pay, false, mapSave(err)
	}
	return begun, true, nil
}

// Payment returns one of the caller's attempts; another payer's gives
// domain.ErrNotFound.
func (p Citizens) Payment(ctx context.Context, c Citizen, id uuid.UUID) (domain.Payment, error) {
	pay, err := p.store.Payment(ctx, id)
	if err != nil {
		return pay, notFoundAs(err, domain.ErrNotFound)
	}
	if !p.Owns(c, pay) {
		return domain.Payment{}, domain.ErrNotFound
	}
	return pay, nil
}

// Owns reports whether pay, as another use case just returned it (the
// return page's HandleNotification), is one of the caller's attempts:
// Payment's check, without reading the attempt again.
func (p Citizens) Owns(c Citizen, pay domain.Payment) bool {
	return pay.ID != uuid.Nil && pay.PayerID == c.PayerID && pay.BillerID == c.BillerID
}
