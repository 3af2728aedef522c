package ports

import (
	"context"
	"net/url"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// Paths of the portal that the payment gateway calls back. Gateways build
// their notification and return URLs from the public URL and these paths;
// the HTTP adapter serves them.
const (
	PathPaymentNotify = "/paiement/notification"
	PathPaymentReturn = "/paiement/retour"
)

// PaymentRequest is what the gateway needs to start an attempt.
type PaymentRequest struct {
	PaymentID uuid.UUID
	Numcli    string
	Saisie    domain.Saisie
	Refdet    string
	Year      int
	Amount    decimal.Decimal
	Email     string
	Object    string
	// SiteURL is the biller's portal (Portal.SiteURL): the notification
	// and return addresses are on it, since PayFiP only calls back the
	// domains declared for the biller's contract. Empty: the gateway's
	// own public URL.
	SiteURL string
}

// Checkout is where to send the payer's browser.
type Checkout struct {
	// OperationID is the gateway's id for the attempt (PayFiP's idOp);
	// empty in the legacy URL mode, which has none.
	OperationID string
	// RedirectURL is the page the browser is sent to with a GET.
	RedirectURL string
}

// Notification is what a callback says. In web-service mode it only
// names the operation; in the legacy URL mode it also carries an
// unconfirmed Report.
type Notification struct {
	OperationID string
	Refdet      string
	Report      *domain.Report
}

// PaymentGateway is the DGFiP's payment service, PayFiP (formerly TIPI).
type PaymentGateway interface {
	// Start creates the attempt at the gateway and tells where to send the
	// browser.
	Start(ctx context.Context, r PaymentRequest) (Checkout, error)
	// Status asks the gateway, server to server, for the attempt's result.
	// It returns ErrNoStatusQuery when the gateway has no such query.
	Status(ctx context.Context, p domain.Payment) (domain.Report, error)
	// ReadNotification reads the parameters of a callback or a browser
	// return (query and body merged; names in any case).
	ReadNotification(ctx context.Context, params url.Values) (Notification, error)
}

// ErrNoStatusQuery is returned by gateways, such as the legacy URL mode,
// that cannot be asked for a result.
var ErrNoStatusQuery = &domain.Error{Code: domain.Unavailable,
	Message: "Le résultat de ce paiement ne peut pas être demandé au service de paiement."}
