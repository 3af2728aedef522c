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
	var mail *Mail
	err := p.store.Atomic(ctx, func(tx Tx) error {
		mail = nil
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
		mail = &m
		return err
	})
	if err != nil || mail == nil {
		return err
	}
	// The request is recorded; the back office lists it even if this
	// mail is lost.
	if err := p.send(ctx, *mail); err != nil {
		p.log.ErrorContext(ctx, "paperless request not mailed", "payer", c.PayerID, "err", err)
	}
	return nil
}

// Contact is "Contacter le service": the message is stored and emailed to
// the service with the payer's identity; replies go to the payer.
func (p *Portal) Contact(ctx context.Context, c Citizen, subject, body string) error {
	now := p.clock.Now()
	var mail *Mail
	err := p.store.Atomic(ctx, func(tx Tx) error {
		mail = nil
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
		mail = &m
		return err
	})
	if err != nil || mail == nil {
		return err
	}
	if err := p.send(ctx, *mail); err != nil {
		p.log.ErrorContext(ctx, "contact message not mailed", "payer", c.PayerID, "err", err)
	}
	return nil
}
