package ports

import (
	"context"
	"net/url"
	"time"

	"github.com/portail-factures/portail/domain"
)

// Links in mails: the biller's own site address and one-time links
// with their tokens.

// LinkInfo is what the password screen shows before the payer types.
type LinkInfo struct {
	Email             string
	Purpose           domain.TokenPurpose
	MinPasswordLength int
}

// link returns an absolute link to path on the biller's portal with the
// token secret.
func (p *Portal) link(b domain.Biller, path, secret string) string {
	return p.SiteURL(b) + path + "?lien=" + url.QueryEscape(secret)
}

// SiteURL is the address of the biller's portal: its first host name with
// the scheme (and port) of PublicURL, or PublicURL itself for a biller
// without host names (a single-biller instance, the demo).
func (p *Portal) SiteURL(b domain.Biller) string {
	if len(b.Hosts) == 0 {
		return p.cfg.PublicURL
	}
	u, err := url.Parse(p.cfg.PublicURL)
	if err != nil {
		return p.cfg.PublicURL
	}
	host := b.Hosts[0]
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host
}

// issueLink revokes the account's open links of that purpose, stores a
// new one and puts its mail in the outbox, all in tx.
func (p *Portal) issueLink(ctx context.Context, tx Tx, b domain.Biller, a domain.Account, purpose domain.TokenPurpose, to, newEmail string, now time.Time) error {
	open, err := tx.OpenTokens(ctx, a.ID, purpose)
	if err != nil {
		return domain.WrapInternal(err)
	}
	for _, t := range open {
		if t.Revoke(now) {
			if err := tx.SaveToken(ctx, t); err != nil {
				return domain.WrapInternal(err)
			}
		}
	}
	raw, err := p.randomBytes(domain.TokenBytes)
	if err != nil {
		return err
	}
	ttl, path, name := p.cfg.ActivationTTL, PathSetPassword, mailActivation
	switch purpose {
	case domain.TokenReset:
		ttl, name = p.cfg.ResetTTL, mailReset
	case domain.TokenEmailChange:
		ttl, path, name = p.cfg.EmailChangeTTL, PathConfirmEmail, mailEmailChange
	}
	t, secret, err := domain.NewToken(raw, a.ID, purpose, now, ttl)
	if err != nil {
		return err
	}
	t.NewEmail = newEmail
	if err := tx.SaveToken(ctx, t); err != nil {
		return domain.WrapInternal(err)
	}
	m, err := p.mails.render(name, to, "", mailData{Biller: b, Link: p.link(b, path, secret), Email: to, TTL: ttlWords(ttl)})
	if err != nil {
		return err
	}
	return p.enqueue(ctx, tx, m, now)
}
