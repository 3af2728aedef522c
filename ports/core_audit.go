package ports

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// Citizens' security events (logins, failures, links, password and
// address changes) go to the biller's audit log with the client's address,
// so that the billing service can answer "who logged into my account?".
// Portal.audit appends any use case's event in the transaction of its
// change; auditAlone appends one that changes nothing.

// maxTypedLabel bounds what a failed login writes of the address typed:
// anyone may type anything there.
const maxTypedLabel = 100

// citizenActor is the actor of an event of account a.
func citizenActor(ctx context.Context, a domain.Account) Actor {
	return Actor{Kind: domain.ActorCitizen, BillerID: a.BillerID, ID: a.ID, Label: a.Email, IP: ClientIP(ctx)}
}

// strangerActor is someone who typed an address no account has.
func strangerActor(ctx context.Context, billerID uuid.UUID, typed string) Actor {
	return Actor{Kind: domain.ActorCitizen, BillerID: billerID, ID: uuid.Nil, Label: typedLabel(typed), IP: ClientIP(ctx)}
}

// typedLabel makes what a visitor typed safe to keep and to show: valid
// UTF-8, no control characters, trimmed, at most maxTypedLabel characters.
func typedLabel(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxTypedLabel {
		s = string([]rune(s)[:maxTypedLabel]) + "…"
	}
	return s
}

// auditAlone appends an event that comes with no change to store (a
// failed login, a logout). Its failure is logged and not returned: the
// citizen's answer must not change because the log could not be written,
// and a failed login must stay a failed login, not an internal error.
func (p *Portal) auditAlone(ctx context.Context, a Actor, action domain.AuditAction, target, detail string) {
	if err := p.audit(ctx, p.store, a, action, target, detail); err != nil {
		p.log.ErrorContext(ctx, "audit event lost", "action", action, "biller", a.BillerID, "actor", a.ID, "err", err)
	}
}

// linkAction is the event of sending a link of that purpose.
func linkAction(purpose domain.TokenPurpose) (domain.AuditAction, string) {
	switch purpose {
	case domain.TokenReset:
		return domain.AuditPasswordResetSent, "Lien de réinitialisation du mot de passe envoyé."
	case domain.TokenEmailChange:
		return domain.AuditEmailChangeAsked, "Lien de confirmation envoyé à la nouvelle adresse."
	}
	return domain.AuditActivationSent, "Lien d'activation du compte envoyé."
}

// audit appends an event of the actor to the log through tx.
func (p *Portal) audit(ctx context.Context, tx Tx, a Actor, action domain.AuditAction, target, detail string) error {
	id, err := p.newID()
	if err != nil {
		return err
	}
	err = tx.AppendAudit(ctx, domain.AuditEvent{
		ID: id, BillerID: a.BillerID, At: p.clock.Now(), Actor: a.Kind, ActorID: a.ID,
		ActorLabel: a.Label, Action: action, Target: target, Detail: detail, IP: a.IP,
	})
	if err != nil {
		return domain.WrapInternal(err)
	}
	return nil
}
