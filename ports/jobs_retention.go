package ports

import (
	"context"
	"errors"
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

// MailRetentionDays is how long the outbox keeps a mail that is over
// (sent, or failed for good) after it was queued: long enough for the
// service to answer "did you send me…?" about the last quarter's notices,
// reminders and receipts, and for the dashboard's failed mails of the
// month (CountFailedMails) to stay whole; short, since a mail's
// recipient, subject and body are personal data that serve nothing once
// delivered. A pending mail is never purged.
const MailRetentionDays = 90

// mailPurgeBatch is how many mails one statement of the purge deletes.
const mailPurgeBatch = 1000

// mailCutoff is the instant before which a mail that is over is purged.
func mailCutoff(now time.Time) time.Time {
	return now.Add(-MailRetentionDays * 24 * time.Hour)
}

// RetentionCounts says what one run erased.
type RetentionCounts struct {
	Accounts int // accounts whose personal data were erased
	Messages int // messages whose contents were erased
	Audit    int // audit lines stripped of their personal details
	Tokens   int // links deleted
	Mails    int // mails over deleted from the outbox
}

func (c *RetentionCounts) add(o RetentionCounts) {
	c.Accounts += o.Accounts
	c.Messages += o.Messages
	c.Audit += o.Audit
	c.Tokens += o.Tokens
	c.Mails += o.Mails
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
// In the same daily claim, it deletes the biller's mails that are over
// (sent, or failed for good) queued more than MailRetentionDays ago, by
// batches (Store.PurgeMails), and counts them in the audit line; the
// mails of no biller (queued before migration 0014) go under a claim of
// their own, with a log line. A mail still waiting or being retried is
// never deleted.
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
		var merr error
		c.Mails, merr = p.purgeMails(ctx, b.ID, now)
		ferr = errors.Join(ferr, merr)
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
	return total, p.purgeOrphanMails(ctx, day, now)
}

// purgeMails deletes the biller's mails that are over and older than
// MailRetentionDays, batch by batch, each batch its own statement: a
// crash leaves the rest to the next day.
func (p *Portal) purgeMails(ctx context.Context, billerID uuid.UUID, now time.Time) (int, error) {
	cutoff, total := mailCutoff(now), 0
	for {
		n, err := p.store.PurgeMails(ctx, billerID, cutoff, mailPurgeBatch)
		total += n
		if err != nil {
			return total, domain.WrapInternal(err)
		}
		if n < mailPurgeBatch {
			return total, nil
		}
	}
}

// purgeOrphanMails purges, once a day, the mails of no biller: no audit
// log is theirs, the count goes to the log.
func (p *Portal) purgeOrphanMails(ctx context.Context, day domain.Date, now time.Time) error {
	claimed, err := p.store.ClaimRun(ctx, retentionJob, day.String()+" outbox", now)
	if err != nil || !claimed {
		return domain.WrapInternal(err)
	}
	n, err := p.purgeMails(ctx, uuid.Nil, now)
	p.log.InfoContext(ctx, "retention: mails of no biller purged", "mails", n, "older_than_days", MailRetentionDays)
	return err
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
	switch c.Mails {
	case 0:
	case 1:
		fmt.Fprintf(&b, " 1 courriel de plus de %d jours (envoyé ou abandonné) effacé de la file d'envoi.", MailRetentionDays)
	default:
		fmt.Fprintf(&b, " %d courriels de plus de %d jours (envoyés ou abandonnés) effacés de la file d'envoi.", c.Mails, MailRetentionDays)
	}
	if failed {
		b.WriteString(" Passage interrompu par une erreur : la suite au prochain passage.")
	}
	return b.String()
}
