package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// MessagePage is one page of the biller's messages.
type MessagePage struct {
	Messages []domain.Message
	Total    int
	Offset   int
	Limit    int
}

// Messages lists the messages payers sent the actor's biller, newest
// first, by state and kind.
func (p BackOffice) Messages(ctx context.Context, a Actor, q MessageSearch) (MessagePage, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return MessagePage{}, err
	}
	if (q.State != "" && !q.State.Valid()) || (q.Kind != "" && !q.Kind.Valid()) {
		return MessagePage{}, domain.Errorf(domain.Invalid, "Filtre de messages inconnu.")
	}
	q.BillerID = a.BillerID
	q.Offset, q.Limit = pageBounds(q.Offset, q.Limit)
	list, total, err := p.store.SearchMessages(ctx, q)
	if err != nil {
		return MessagePage{}, domain.WrapInternal(err)
	}
	return MessagePage{Messages: list, Total: total, Offset: q.Offset, Limit: q.Limit}, nil
}

// MessageDetail is one message with its sender.
type MessageDetail struct {
	Message domain.Message
	// Payer is the sender; zero if it is gone.
	Payer domain.Payer
}

// Message returns one message of the actor's biller; another biller's is
// NotFound.
func (p BackOffice) Message(ctx context.Context, a Actor, id uuid.UUID) (MessageDetail, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return MessageDetail{}, err
	}
	m, err := backOfficeMessage(ctx, p.store, a, id)
	if err != nil {
		return MessageDetail{}, err
	}
	d := MessageDetail{Message: m}
	if payer, err := p.store.Payer(ctx, m.PayerID); err == nil && payer.BillerID == a.BillerID {
		d.Payer = payer
	} else if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return MessageDetail{}, domain.WrapInternal(err)
	}
	return d, nil
}

func backOfficeMessage(ctx context.Context, tx Tx, a Actor, id uuid.UUID) (domain.Message, error) {
	m, err := tx.Message(ctx, id)
	if err != nil {
		return m, notFoundAs(err, domain.ErrNotFound)
	}
	if m.BillerID != a.BillerID {
		return domain.Message{}, domain.ErrNotFound
	}
	return m, nil
}

// MarkMessageHandled records that the billing service dealt with a
// message; marking it again changes nothing and logs nothing.
func (p BackOffice) MarkMessageHandled(ctx context.Context, a Actor, id uuid.UUID) error {
	return p.changeMessage(ctx, a, id, domain.AuditMessageHandled, "Message marqué comme traité.",
		func(m *domain.Message) bool { return m.MarkHandled(p.clock.Now()) })
}

// MarkMessageNew puts a handled message back to new.
func (p BackOffice) MarkMessageNew(ctx context.Context, a Actor, id uuid.UUID) error {
	return p.changeMessage(ctx, a, id, domain.AuditMessageReopened, "Message remis à l'état « nouveau ».",
		func(m *domain.Message) bool { return m.Reopen() })
}

func (p *Portal) changeMessage(ctx context.Context, a Actor, id uuid.UUID, action domain.AuditAction, detail string, change func(*domain.Message) bool) error {
	if err := a.canWrite(a.BillerID); err != nil {
		return err
	}
	return p.store.Atomic(ctx, func(tx Tx) error {
		m, err := backOfficeMessage(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !change(&m) {
			return nil
		}
		if err := tx.SaveMessage(ctx, m); err != nil {
			return domain.WrapInternal(err)
		}
		return p.audit(ctx, tx, a, action, m.FromEmail+" – "+m.Subject, detail)
	})
}
