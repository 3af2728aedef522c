package ports_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// flakyStore is the memory store whose reads outside a transaction fail
// while down is set, as a database that went away after the commit.
type flakyStore struct {
	*memory.Store
	down atomic.Bool
}

func (s *flakyStore) Payer(ctx context.Context, id uuid.UUID) (domain.Payer, error) {
	if s.down.Load() {
		return domain.Payer{}, errors.New("connection refused")
	}
	return s.Store.Payer(ctx, id)
}

// receiptEnv is newEnv with a PDFWriter and a store that can fail, mails
// delivered by the test (not inline), and the portal's logs kept.
type receiptEnv struct {
	*env
	pdf   *portstest.FakePDF
	flaky *flakyStore
	logs  *bytes.Buffer
}

func newReceiptEnv(t *testing.T) *receiptEnv {
	t.Helper()
	e := newEnv(t)
	r := &receiptEnv{env: e, pdf: &portstest.FakePDF{}, flaky: &flakyStore{Store: e.store}, logs: &bytes.Buffer{}}
	p, err := ports.NewPortal(ports.Deps{
		Store: r.flaky, Sessions: e.store, Mailer: e.mails, Gateway: e.gateway,
		Clock: e.clock, Random: portstest.NewSeqRandom(3), PDF: r.pdf,
		Logger: slog.New(slog.NewTextHandler(r.logs, nil)),
	}, ports.Config{PublicURL: "https://factures.testville.fr/", Argon2: fastArgon2})
	require.NoError(t, err)
	e.portal = p
	return r
}

// pay settles the first two invoices by a confirmed PayFiP payment.
func (r *receiptEnv) pay(t *testing.T) domain.Payment {
	t.Helper()
	pay, _, err := r.portal.Citizens().StartPayment(r.ctx, r.citizen, r.invoiceIDs(2))
	require.NoError(t, err)
	r.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)
	r.advance(time.Minute)
	got, err := r.portal.Jobs().HandleNotification(r.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	require.True(t, got.Receipted())
	return got
}

// deliver runs the sender once.
func (r *receiptEnv) deliver(t *testing.T) int {
	t.Helper()
	n, err := r.portal.Jobs().DeliverMails(r.ctx)
	require.NoError(t, err)
	return n
}

// paidMail is the payer's confirmation, once sent.
func (r *receiptEnv) paidMail(t *testing.T) ports.Mail {
	t.Helper()
	var found []ports.Mail
	for _, m := range r.mails.To(r.house.Account.Email) {
		if strings.HasPrefix(m.Subject, "Confirmation de votre paiement") {
			found = append(found, m)
		}
	}
	require.Len(t, found, 1, "one confirmation")
	return found[0]
}

func TestTheReceiptIsMadeAtDeliveryNotInThePaymentsTransaction(t *testing.T) {
	r := newReceiptEnv(t)
	pay := r.pay(t)
	assert.Zero(t, r.pdf.Laid(), "no layout while the payment was recorded")

	// The outbox row names the receipt and carries no bytes.
	queued, err := r.store.ClaimMails(r.ctx, r.clock.Now(), 0, 10)
	require.NoError(t, err)
	require.Len(t, queued, 1)
	assert.Empty(t, queued[0].Mail.Attachments)
	assert.Equal(t, []ports.AttachmentRef{{Kind: ports.AttachReceipt, ID: pay.ID}}, queued[0].Attach)
	assert.Contains(t, queued[0].Mail.Text, "Votre reçu de paiement est joint")

	assert.Equal(t, 1, r.deliver(t))
	m := r.paidMail(t)
	require.Len(t, m.Attachments, 1)
	att := m.Attachments[0]
	assert.Equal(t, "application/pdf", att.ContentType)
	assert.Equal(t, "recu-"+pay.Refdet+".pdf", att.Name)
	assert.Equal(t, 1, r.pdf.Laid())

	// The code in the file is the receipt's, as the citizen's page shows it.
	shown, err := r.portal.Citizens().InvoiceReceipt(r.ctx, r.citizen, r.invoiceIDs(1)[0])
	require.NoError(t, err)
	require.NotEmpty(t, shown.Code)
	assert.Equal(t, "%PDF-fake receipt "+shown.Code+" "+shown.Total.StringFixed(2)+
		" https://factures.testville.fr"+ports.PathReceipt(pay.InvoiceIDs[0])+"\n", string(att.Data))
	v, err := r.portal.CitizenAccounts().Verify(r.ctx, r.biller(), shown.Code)
	require.NoError(t, err)
	assert.True(t, v.Total.Equal(pay.Total))
}

func TestAReceiptTheStoreCannotGiveIsRetriedLikeAFailedSend(t *testing.T) {
	r := newReceiptEnv(t)
	r.pay(t)
	r.flaky.down.Store(true)
	assert.Zero(t, r.deliver(t))
	assert.Empty(t, r.mails.Mails(), "not sent without its receipt while it may still come")
	assert.Equal(t, ports.OutboxCounts{Pending: 1}, r.counts(t))
	assert.Contains(t, r.logs.String(), "mail not sent, will retry")

	r.flaky.down.Store(false)
	r.advance(time.Minute)
	assert.Equal(t, 1, r.deliver(t))
	m := r.paidMail(t)
	assert.Len(t, m.Attachments, 1, "made on the retry")
	assert.Contains(t, m.Text, "Votre reçu de paiement est joint")
	assert.Equal(t, ports.OutboxCounts{}, r.counts(t))
}

func TestAMailWhoseReceiptNeverComesIsSentWithoutIt(t *testing.T) {
	t.Run("the layout fails: at once, the text says nothing of a file", func(t *testing.T) {
		r := newReceiptEnv(t)
		r.pay(t)
		r.pdf.FailNext(1, errors.New("font table broken"))
		assert.Equal(t, 1, r.deliver(t))
		m := r.paidMail(t)
		assert.Empty(t, m.Attachments)
		assert.NotContains(t, m.Text, "joint")
		assert.NotContains(t, m.HTML, "joint")
		assert.Contains(t, m.Text, "Votre paiement")
		assert.Contains(t, r.logs.String(), "mail sent without its attachment")
		assert.Contains(t, r.logs.String(), "font table broken")
	})
	t.Run("the store stays down: when the retries end", func(t *testing.T) {
		r := newReceiptEnv(t)
		r.pay(t)
		r.flaky.down.Store(true)
		for i := 0; i < 40 && len(r.mails.Mails()) == 0; i++ {
			r.deliver(t)
			r.advance(time.Hour)
		}
		m := r.paidMail(t)
		assert.Empty(t, m.Attachments)
		assert.NotContains(t, m.Text, "joint")
		assert.Equal(t, ports.OutboxCounts{}, r.counts(t), "sent, not failed")
		assert.Contains(t, r.logs.String(), "mail sent without its attachment")
	})
}
