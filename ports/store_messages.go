package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// MessageStore keeps the messages payers send to their biller.
type MessageStore interface {
	SaveMessage(ctx context.Context, m domain.Message) error
	// Messages returns the biller's messages, newest first.
	Messages(ctx context.Context, billerID uuid.UUID, limit int) ([]domain.Message, error)
	Message(ctx context.Context, id uuid.UUID) (domain.Message, error)
}
