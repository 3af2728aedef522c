package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// RequestPaperless is "Je ne souhaite plus recevoir mes factures au format
// papier", once confirmed: the wish is recorded on the payer and the
// service is emailed. Asking again changes nothing and sends nothing.
func (p *Portal) RequestPaperless(ctx context.Context, c Citizen) error {
	now := p.clock.Now()
	err := p.store.Atomic(ctx, func(tx Tx) error {
		a, payer, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
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
		if err := tx.SaveMessage(ctx, msg); err != nil {
			return domain.WrapInternal(err)
		}
		b, err := tx.Biller(ctx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if b.Email == "" {
			return nil // kept for the back office; no address to mail
		}
		m, err := p.mails.render(mailPaperless, b.Email, a.Email, mailData{Biller: b, Payer: payer, Message: msg})
		if err != nil {
			return err
		}
		return p.enqueue(ctx, tx, m, now)
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// Contact is "Contacter le service": the message is stored and emailed to
// the service with the payer's identity; replies go to the payer.
func (p *Portal) Contact(ctx context.Context, c Citizen, subject, body string) error {
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
		if err := tx.SaveMessage(ctx, msg); err != nil {
			return domain.WrapInternal(err)
		}
		b, err := tx.Biller(ctx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if b.Email == "" {
			return nil
		}
		m, err := p.mails.render(mailContact, b.Email, a.Email, mailData{Biller: b, Payer: payer, Message: msg})
		if err != nil {
			return err
		}
		return p.enqueue(ctx, tx, m, now)
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}
