package ports

import (
	"context"
	"strconv"
	"time"

	"github.com/portail-factures/portail/domain"
)

// mailAccountClosed confirms to the payer that their account is closed.
const mailAccountClosed = "account_closed"

// closeAccount closes a in tx for the citizen's and the staff's use cases
// (citizens_close.go, backoffice_accounts_close.go): the account is saved
// closed, its links are deleted (none can activate it again), a mail to
// its address confirms the closure and the audit log gets one line. The
// caller ends the account's sessions once tx is committed
// (endAccountSessions).
func (p *Portal) closeAccount(ctx context.Context, tx Tx, a domain.Account, by Actor, target, detail string, now time.Time) error {
	to := a.Email
	if err := a.Close(now); err != nil {
		return err
	}
	if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
		return err
	}
	if _, err := tx.DeleteAccountTokens(ctx, a.ID); err != nil {
		return domain.WrapInternal(err)
	}
	b, err := tx.Biller(ctx, a.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	if to != "" {
		m, err := p.mails.render(mailAccountClosed, to, b.Email, mailData{Biller: b, Email: to,
			Retention: RetentionWords(b.RetentionMonths), ByStaff: by.Kind == domain.ActorStaff})
		if err != nil {
			return err
		}
		if err := p.enqueue(ctx, tx, m, now); err != nil {
			return err
		}
	}
	return p.audit(ctx, tx, by, domain.AuditAccountClosed, target, detail)
}

// endAccountSessions ends every session of a closed account; a failure is
// logged: the sessions no longer open any page (Authenticate refuses a
// closed account), they only wait for their expiry.
func (p *Portal) endAccountSessions(ctx context.Context, a domain.Account) {
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, ""); err != nil {
		p.log.ErrorContext(ctx, "sessions not ended after account closed", "account", a.ID, "err", err)
	}
}

// RetentionWords says a retention period in French: "12 mois"; zero is
// the default period.
func RetentionWords(months int) string {
	if months == 0 {
		months = domain.DefaultRetentionMonths
	}
	return strconv.Itoa(months) + " mois"
}
