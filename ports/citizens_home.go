package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// The citizen's home page: the dashboard and its important notice.

// CloseNotice is "Fermer" on the important notice: it stays closed for
// the rest of the session.
func (p Citizens) CloseNotice(ctx context.Context, s Session) error {
	if s.NoticeClosed {
		return nil
	}
	s.NoticeClosed = true
	err := p.sessions.SaveSession(ctx, s)
	if domain.ErrorCode(err) == domain.NotFound {
		return domain.Errorf(domain.Unauthenticated, "Votre session a expiré. Veuillez vous reconnecter.")
	}
	return domain.WrapInternal(err)
}

// Dashboard is the home page after login.
type Dashboard struct {
	BillerName string
	PayerName  string
	// Notice is the service's important information, shown highlighted
	// until the payer closes it ("Fermer"); empty when there is none or it
	// was closed in this session.
	Notice   string
	HomeText string
}

// Dashboard returns the home page of the caller, given their session.
func (p Citizens) Dashboard(ctx context.Context, c Citizen, s Session) (Dashboard, error) {
	_, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return Dashboard{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return Dashboard{}, domain.WrapInternal(err)
	}
	d := Dashboard{BillerName: b.Name, PayerName: payer.Name, HomeText: b.HomeText}
	if !s.NoticeClosed {
		d.Notice = b.Notice
	}
	return d, nil
}
