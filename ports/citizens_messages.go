package ports

import (
	"context"
	"time"

	"github.com/portail-factures/portail/domain"
)

// RequestPaperless is "Je ne souhaite plus recevoir mes factures au format
// papier", once confirmed: the wish is recorded on the payer and the
// service is emailed. Asking again changes nothing and sends nothing.
func (p Citizens) RequestPaperless(ctx context.Context, c Citizen) error {
	now := p.clock.Now()
	err := p.store.Atomic(ctx, func(tx Tx) error {
		a, payer, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		// Locked: the billing software may update the payer meanwhile.
		if payer, err = tx.PayerForUpdate(ctx, payer.ID); err != nil {
			return domain.WrapInternal(err)
		}
		if !payer.RequestPaperless(now) {
			return nil
		}
		id, err := p.newID()
		if err != nil {
			return err
		}
		msg := domain.NewPaperlessMessage(id, a, payer, now)
		if err := tx.SavePayer(ctx, payer); err != nil {
			return domain.WrapInternal(err)
		}
		return p.sendToService(ctx, tx, mailPaperless, a, payer, msg, now)
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// Contact is "Contacter le service": the message is stored and emailed to
// the service with the payer's identity; replies go to the payer.
func (p Citizens) Contact(ctx context.Context, c Citizen, subject, body string) error {
	now := p.clock.Now()
	err := p.store.Atomic(ctx, func(tx Tx) error {
		a, payer, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		id, err := p.newID()
		if err != nil {
			return err
		}
		msg, err := domain.NewContactMessage(id, a, subject, body, now)
		if err != nil {
			return err
		}
		return p.sendToService(ctx, tx, mailContact, a, payer, msg, now)
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// sendToService stores a payer's message and, in the same transaction,
// puts its mail to the billing service in the outbox, replies going to
// the payer. A service without an address keeps the message for the back
// office only.
func (p *Portal) sendToService(ctx context.Context, tx Tx, template string, a domain.Account, payer domain.Payer, msg domain.Message, now time.Time) error {
	if err := tx.SaveMessage(ctx, msg); err != nil {
		return domain.WrapInternal(err)
	}
	b, err := tx.Biller(ctx, a.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	if b.Email == "" {
		return nil
	}
	m, err := p.mails.render(template, b.Email, a.Email, mailData{Biller: b, Payer: payer, Message: msg})
	if err != nil {
		return err
	}
	return p.enqueue(ctx, tx, m, now)
}
