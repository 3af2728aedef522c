package ports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// retentionJob names the daily retention run in Store.ClaimRun.
const retentionJob = "retention"

// retentionBatch is how many closed accounts the job reads at a time.
const retentionBatch = 100

// RetentionCounts says what one run erased.
type RetentionCounts struct {
	Accounts int // accounts whose personal data were erased
	Messages int // messages whose contents were erased
	Audit    int // audit lines stripped of their personal details
	Tokens   int // links deleted
}

func (c *RetentionCounts) add(o RetentionCounts) {
	c.Accounts += o.Accounts
	c.Messages += o.Messages
	c.Audit += o.Audit
	c.Tokens += o.Tokens
}

// RunRetention is the retention job (issue 16, item 7): for each biller,
// once per Paris day whatever the number of portal instances
// (Store.ClaimRun with the date and the biller), it erases the personal
// data of the accounts closed for longer than the biller's retention
// period (domain.Account.Forgettable): the account's address, password
// hash and choices (domain.Account.Anonymise), its links, its messages'
// contents (domain.Message.Anonymise), what ties its own lines of the
// audit log to it (domain.RedactAudit), and its sessions. Invoices,
// payments, refunds and the payer's record are never touched: the public
// accounts need them. Each account is erased in one transaction, locked
// and checked again in it: a crash leaves every account whole or erased,
// and an account another run erased meanwhile is skipped. Each run
// writes one line in the biller's audit log with its counts. It returns
// how many accounts it erased.
//
// A run that fails after its claim is not retried that day; the next
// day's run takes every account due, those left over included.
func (p Jobs) RunRetention(ctx context.Context) (int, error) {
	now := p.clock.Now()
	day := domain.Today(now)
	billers, err := p.store.Billers(ctx)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	total := 0
	for _, b := range billers {
		claimed, err := p.store.ClaimRun(ctx, retentionJob, day.String()+" "+b.ID.String(), now)
		if err != nil {
			return total, domain.WrapInternal(err)
		}
		if !claimed {
			continue
		}
		c, ferr := p.forgetBiller(ctx, b, now)
		total += c.Accounts
		err = p.store.Atomic(ctx, func(tx Tx) error {
			return p.audit(ctx, tx, SystemActor(b.ID), domain.AuditRetention, "Passage quotidien du "+day.French(),
				retentionDetail(c, b.RetentionMonths, ferr != nil))
		})
		if ferr != nil {
			return total, ferr
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// forgetBiller erases the biller's closed accounts past the retention
// period, batch by batch, one transaction per account.
func (p *Portal) forgetBiller(ctx context.Context, b domain.Biller, now time.Time) (RetentionCounts, error) {
	var total RetentionCounts
	cutoff := b.RetentionCutoff(now)
	for {
		batch, err := p.store.ClosedAccounts(ctx, b.ID, cutoff, retentionBatch)
		if err != nil {
			return total, domain.WrapInternal(err)
		}
		done := 0
		for _, a := range batch {
			// The sessions first: a crash after it leaves the account
			// to the next run, whole.
			if err := p.sessions.DeleteAccountSessions(ctx, a.ID, ""); err != nil {
				return total, domain.WrapInternal(err)
			}
			c, err := p.forgetAccount(ctx, b, a.ID, now)
			if err != nil {
				return total, err
			}
			total.add(c)
			done += c.Accounts
		}
		// An account left as it was would come back in every batch:
		// stop when a batch erases nothing.
		if len(batch) < retentionBatch || done == 0 {
			return total, nil
		}
	}
}

// forgetAccount erases one account's personal data in one transaction.
func (p *Portal) forgetAccount(ctx context.Context, b domain.Biller, id uuid.UUID, now time.Time) (RetentionCounts, error) {
	var c RetentionCounts
	err := p.store.Atomic(ctx, func(tx Tx) error {
		c = RetentionCounts{}
		a, err := tx.AccountForUpdate(ctx, id)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if a.BillerID != b.ID || !a.Forgettable(b, now) {
			return nil // erased by another run meanwhile
		}
		if c.Tokens, err = tx.DeleteAccountTokens(ctx, a.ID); err != nil {
			return domain.WrapInternal(err)
		}
		msgs, err := tx.AccountMessages(ctx, a.ID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		for _, m := range msgs {
			m.Anonymise()
			if err := tx.SaveMessage(ctx, m); err != nil {
				return domain.WrapInternal(err)
			}
			c.Messages++
		}
		events, err := tx.AccountAuditEvents(ctx, b.ID, a.ID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		for _, e := range events {
			if err := tx.RedactAudit(ctx, domain.RedactAudit(e)); err != nil {
				return domain.WrapInternal(err)
			}
			c.Audit++
		}
		a.Anonymise(now)
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		c.Accounts = 1
		return nil
	})
	return c, err
}

// retentionDetail says in French what a daily run did.
func retentionDetail(c RetentionCounts, months int, failed bool) string {
	var b strings.Builder
	switch c.Accounts {
	case 0:
		b.WriteString("Aucun compte clos depuis plus de " + RetentionWords(months) + " à anonymiser")
	case 1:
		b.WriteString("1 compte clos depuis plus de " + RetentionWords(months) + " anonymisé")
	default:
		fmt.Fprintf(&b, "%d comptes clos depuis plus de %s anonymisés", c.Accounts, RetentionWords(months))
	}
	if c.Accounts > 0 {
		fmt.Fprintf(&b, " (messages effacés : %d ; lignes du journal rendues anonymes : %d ; liens supprimés : %d)",
			c.Messages, c.Audit, c.Tokens)
	}
	b.WriteString(".")
	if failed {
		b.WriteString(" Passage interrompu par une erreur : la suite au prochain passage.")
	}
	return b.String()
}
