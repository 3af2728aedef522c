package ports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func (e *env) runNotices(t *testing.T) int {
	t.Helper()
	n, err := e.portal.Jobs().RunNotices(e.ctx)
	require.NoError(t, err)
	return n
}

// addInvoice saves a new unpaid invoice of the household's payer that
// arrived at arrived.
func (e *env) addInvoice(t *testing.T, number string, arrived time.Time) domain.Invoice {
	t.Helper()
	inv := portstest.NewInvoice(t, e.house.Payer, number, "25.50")
	inv.CreatedAt, inv.UpdatedAt = arrived, arrived
	portstest.MustSaveInvoices(t, e.store, inv)
	return inv
}

func TestNewInvoiceNoticeGoesOnceInOneMailPerPayer(t *testing.T) {
	e := newEnv(t)
	assert.Equal(t, 3, e.runNotices(t), "the household's three invoices; REF002 has no account")
	mails := e.mails.Mails()
	require.Len(t, mails, 1, "one mail for the three")
	m := mails[0]
	assert.Equal(t, e.house.Account.Email, m.To)
	assert.Equal(t, "3 nouvelles factures sont disponibles", m.Subject)
	for _, want := range []string{
		"- Facture n° 2025-000001 : Multi Services, 10,01\u00a0€, échéance le 03/04/2025",
		"- Facture n° 2025-000003 : Multi Services, 10,03\u00a0€, échéance le 03/04/2025",
		"https://factures.testville.fr/factures",
		"Ne plus recevoir ces courriels (avis de nouvelle facture) : https://factures.testville.fr/desabonnement/",
	} {
		assert.Contains(t, m.Text, want)
	}
	assert.True(t, strings.HasPrefix(m.Unsubscribe, "https://factures.testville.fr/desabonnement/"), m.Unsubscribe)
	assert.Contains(t, m.HTML, `<a href="`+m.Unsubscribe+`">Ne plus recevoir ces courriels</a>`)

	e.advance(time.Hour)
	assert.Zero(t, e.runNotices(t), "never twice for an invoice")

	// A later arrival (an import, the API) is announced on its own.
	e.advance(time.Hour)
	later := e.addInvoice(t, "2025-000100", e.clock.Now())
	assert.Equal(t, 1, e.runNotices(t))
	require.Len(t, e.mails.Mails(), 2)
	assert.Equal(t, "Une nouvelle facture est disponible", e.mails.Mails()[1].Subject)
	assert.Contains(t, e.mails.Mails()[1].Text, later.Number)

	// Re-imported (saved again, changed): not news.
	later.Amount = later.Amount.Add(later.Amount)
	portstest.MustSaveInvoices(t, e.store, later)
	assert.Zero(t, e.runNotices(t))

	board, err := e.portal.BackOffice().StaffBoard(e.ctx, agent(e, domain.RoleReader))
	require.NoError(t, err)
	assert.Equal(t, 4, board.Announced, "the dashboard counts this month's notices")
}

func TestNewInvoiceNoticeSkipsWhatIsNotNews(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(3)
	require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, ids[0]))
	paid := e.invoice(t, ids[1])
	_, err := paid.Settle(paid.PaymentID, e.clock.Now(), e.clock.Now())
	require.NoError(t, err)
	require.NoError(t, e.store.SaveInvoice(e.ctx, paid))
	e.addInvoice(t, "2025-000050", epoch().Add(-time.Minute)) // before the account was activated

	assert.Equal(t, 1, e.runNotices(t), "neither the declared, the paid, nor the one there before the account")
	require.Len(t, e.mails.Mails(), 1)
	assert.Equal(t, "Une nouvelle facture est disponible", e.mails.Mails()[0].Subject)

	// Past the lookback, an invoice is no longer announced.
	e.advance(73 * time.Hour)
	require.NoError(t, e.portal.Citizens().UndoDeclarePaid(e.ctx, e.citizen, ids[0]))
	assert.Zero(t, e.runNotices(t))
}

func TestNewInvoiceNoticeRespectsThePayersChoice(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.Citizens().SetMailPreferences(e.ctx, e.citizen, false, true))
	assert.Zero(t, e.runNotices(t))
	assert.Empty(t, e.mails.Mails())

	// Turned back on within the lookback: the notice still goes.
	require.NoError(t, e.portal.Citizens().SetMailPreferences(e.ctx, e.citizen, true, true))
	e.advance(time.Hour)
	assert.Equal(t, 3, e.runNotices(t))
}

func TestNewInvoiceNoticeTwoInstancesAtOnceSendOnce(t *testing.T) {
	e := newEnv(t)
	n := twoInstancesAtOnce(t, e, ports.Jobs.RunNotices)
	assert.Equal(t, 3, n)
	require.Len(t, e.mails.Mails(), 1)
	// Both instances sign links with the key kept in the store: the
	// other instance's link opens on this one.
	_, err := e.portal.CitizenAccounts().UnsubscribeLink(e.ctx, e.biller(), token(t, e.mails.Mails()[0]))
	assert.NoError(t, err)
}

// token is the unsubscribe token of mail m.
func token(t *testing.T, m ports.Mail) string {
	t.Helper()
	_, tok, ok := strings.Cut(m.Unsubscribe, ports.PathUnsubscribe+"/")
	require.True(t, ok, m.Unsubscribe)
	return tok
}

func TestUnsubscribeLinkTurnsItsKindOffOnPostOnly(t *testing.T) {
	e := remindersEnv(t)
	e.clock.Set(fiveDaysBefore)
	require.Equal(t, 3, e.runReminders(t))
	reminder := e.mails.Mails()[0]
	require.NotEmpty(t, reminder.Unsubscribe, "a reminder carries its link")
	assert.Contains(t, reminder.Text, "Ne plus recevoir ces courriels (rappels) : "+reminder.Unsubscribe)
	tok := token(t, reminder)

	accounts := e.portal.CitizenAccounts()
	u, err := accounts.UnsubscribeLink(e.ctx, e.biller(), tok)
	require.NoError(t, err)
	assert.Equal(t, ports.Unsubscription{Notices: false, Off: false}, u)
	assert.Equal(t, "les rappels avant et après l'échéance", u.What())
	profile, err := e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.True(t, profile.Reminders, "opening the link (a mail scanner's prefetch) changes nothing")

	u, err = accounts.Unsubscribe(e.ctx, e.biller(), tok)
	require.NoError(t, err)
	assert.True(t, u.Off)
	profile, err = e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.False(t, profile.Reminders, "reminders off")
	assert.True(t, profile.Notices, "notices untouched")
	_, err = accounts.Unsubscribe(e.ctx, e.biller(), tok)
	require.NoError(t, err, "a second click is harmless")

	audits := e.audits(t, domain.AuditMailPreferences)
	require.Len(t, audits, 1, "written once")
	assert.Equal(t, "Rappels avant l'échéance : désactivés depuis le lien de désabonnement d'un courriel.", audits[0].Detail)
	assert.Equal(t, e.house.Account.ID, audits[0].ActorID)

	u, err = accounts.UnsubscribeLink(e.ctx, e.biller(), tok)
	require.NoError(t, err)
	assert.True(t, u.Off, "the page says it is off already")
}

func TestUnsubscribeRefusesLinksItDidNotMake(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, 3, e.runNotices(t))
	tok := token(t, e.mails.Mails()[0])
	accounts := e.portal.CitizenAccounts()
	flipped := []byte(tok)
	flipped[len(flipped)-2] ^= 1
	for name, c := range map[string]struct {
		biller uuid.UUID
		token  string
	}{
		"another biller's site":  {uuid.New(), tok},
		"a changed MAC":          {e.biller(), string(flipped)},
		"another kind":           {e.biller(), tok[:21] + "c" + tok[22:]},
		"garbage":                {e.biller(), "abc"},
		"empty":                  {e.biller(), ""},
		"the account id alone":   {e.biller(), e.house.Account.ID.String()},
		"a truncated link token": {e.biller(), tok[:len(tok)-4]},
	} {
		_, err := accounts.UnsubscribeLink(e.ctx, c.biller, c.token)
		assert.ErrorIs(t, err, ports.ErrBadUnsubscribeLink, name)
		_, err = accounts.Unsubscribe(e.ctx, c.biller, c.token)
		assert.ErrorIs(t, err, ports.ErrBadUnsubscribeLink, name)
	}
	profile, err := e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.True(t, profile.Notices && profile.Reminders, "nothing changed")
}
