package domain

import (
	"time"

	"github.com/google/uuid"
)

// PaymentEvent is one step of a payment attempt's timeline, for the back
// office: created, sent to the DGFiP, each report received, confirmed by
// the service, matched in the settlement report.
type PaymentEvent struct {
	ID        uuid.UUID
	PaymentID uuid.UUID
	BillerID  uuid.UUID
	At        time.Time
	// State is the attempt's state after the step.
	State PaymentState
	// Code is the gateway's code when there is one (resultrans, fault code).
	Code string
	// Detail says the step in French.
	Detail string
}
