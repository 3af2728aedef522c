package portstest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The audit log (ports.AuditStore).

func auditKey(e domain.AuditEvent) (time.Time, uuid.UUID) { return e.At, e.ID }

var auditTests = []storeTest{
	{"AuditEvents returns the biller's events with every field, newest first then by id, one page at a time", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		var events []domain.AuditEvent
		for i, d := range []time.Duration{2 * time.Hour, 0, time.Hour, time.Hour, 3 * time.Hour} {
			e := fullAuditEvent(t, a, domain.AuditInvoiceStatus, at(d))
			if i == 1 {
				e.ActorID, e.IP, e.Target = uuid.Nil, "", "" // unknown actor
			}
			require.NoError(t, s.AppendAudit(ctx, e))
			events = append(events, e)
		}
		require.NoError(t, s.AppendAudit(ctx, fullAuditEvent(t, b, domain.AuditInvoiceStatus, at(time.Hour))))
		all := newestFirst(events, auditKey)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, total, err := tx.AuditEvents(ctx, ports.AuditQuery{BillerID: a.ID})
			require.NoError(t, err)
			require.Equal(t, len(events), total)
			require.Len(t, got, len(events))
			for i, e := range got {
				assert.Equal(t, all[i], e.ID, "event %d", i)
				want := events[slices.IndexFunc(events, func(w domain.AuditEvent) bool { return w.ID == e.ID })]
				AssertSame(t, want, e)
			}
			for _, c := range []struct {
				q ports.AuditQuery
				c pageCase
			}{
				{ports.AuditQuery{BillerID: a.ID, Offset: 1, Limit: 3}, pageCase{"a middle page", all[1:4], 5}},
				{ports.AuditQuery{BillerID: a.ID, Offset: 4, Limit: 3}, pageCase{"the last page", all[4:], 5}},
				{ports.AuditQuery{BillerID: a.ID, Offset: 9, Limit: 3}, pageCase{"past the end", nil, 5}},
				{ports.AuditQuery{BillerID: a.ID, Offset: 1, Limit: 3, CountUpTo: 2}, pageCase{"a count up to 2", all[1:4], 2}},
				{ports.AuditQuery{BillerID: uuid.New()}, pageCase{"an unknown biller", nil, 0}},
			} {
				list, total, err := tx.AuditEvents(ctx, c.q)
				checkPage(t, c.c, auditIDs(list), total, err)
			}
		})
		requireConflict(t, s.AppendAudit(ctx, events[0]), "AppendAudit of an existing event")
	}},
	{"AuditEvents filters by actor, action or action prefix, period and text", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		ev := func(bl domain.Biller, d time.Duration, actor domain.ActorKind, action domain.AuditAction, label, target string) domain.AuditEvent {
			e := fullAuditEvent(t, bl, action, at(d))
			e.Actor, e.ActorLabel, e.Target = actor, label, target
			require.NoError(t, s.AppendAudit(ctx, e))
			return e
		}
		const agent = "Agnès Comptable <agnes@testville.fr>"
		login := ev(a, 0, domain.ActorCitizen, domain.AuditLogin, "jean@exemple.fr", "jean@exemple.fr")
		staffLogin := ev(a, time.Hour, domain.ActorStaff, domain.AuditStaffLogin, agent, "")
		status := ev(a, time.Hour, domain.ActorStaff, domain.AuditInvoiceStatus, agent, "2024-0001")
		failed := ev(a, 2*time.Hour, domain.ActorCitizen, domain.AuditLoginFailed, "inconnu@exemple.fr", "INCONNU@exemple.fr")
		api := ev(a, 3*time.Hour, domain.ActorAPI, domain.AuditInvoiceSaved, "Logiciel de facturation", "2024-0002")
		treasury := ev(a, 4*time.Hour, domain.ActorSystem, domain.AuditTreasury, "Portail", "2024-0001")
		theirs := ev(b, time.Hour, domain.ActorStaff, domain.AuditStaffLogin, agent, "2024-0001")
		ids := func(es ...domain.AuditEvent) []uuid.UUID { return newestFirst(es, auditKey) }

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			for _, c := range []struct {
				q ports.AuditQuery
				c pageCase
			}{
				{ports.AuditQuery{Actor: domain.ActorCitizen}, pageCase{"by actor", ids(login, failed), 0}},
				{ports.AuditQuery{Action: domain.AuditLogin}, pageCase{"an action matches exactly", ids(login), 0}},
				{ports.AuditQuery{Action: "citizen."}, pageCase{"an action prefix ending in a dot", ids(login, failed), 0}},
				{ports.AuditQuery{Action: "invoice."}, pageCase{"another prefix", ids(status, treasury), 0}},
				{ports.AuditQuery{Action: "citizen"}, pageCase{"no dot, no prefix", nil, 0}},
				{ports.AuditQuery{From: at(time.Hour), Until: at(3 * time.Hour)}, pageCase{"From <= At < Until", ids(staffLogin, status, failed), 0}},
				{ports.AuditQuery{From: at(3 * time.Hour)}, pageCase{"From alone", ids(api, treasury), 0}},
				{ports.AuditQuery{Until: at(time.Hour)}, pageCase{"Until alone", ids(login), 0}},
				{ports.AuditQuery{Text: "2024-0001"}, pageCase{"text in the target", ids(status, treasury), 0}},
				{ports.AuditQuery{Text: "AGNES@"}, pageCase{"text in the actor's label, whatever its case", ids(staffLogin, status), 0}},
				{ports.AuditQuery{Text: "inconnu"}, pageCase{"text in both", ids(failed), 0}},
				{ports.AuditQuery{Text: "%"}, pageCase{"wildcards are plain characters", nil, 0}},
				{ports.AuditQuery{Actor: domain.ActorStaff, Text: "2024"}, pageCase{"criteria combine", ids(status), 0}},
				{ports.AuditQuery{Action: "staff.", Limit: 1}, pageCase{"a page of a filtered list", ids(staffLogin), 1}},
				{ports.AuditQuery{Action: "citizen.", CountUpTo: 5}, pageCase{"fewer than the count's bound", ids(login, failed), 0}},
			} {
				c.q.BillerID = a.ID
				list, total, err := tx.AuditEvents(ctx, c.q)
				checkPage(t, c.c, auditIDs(list), total, err)
			}
			list, total, err := tx.AuditEvents(ctx, ports.AuditQuery{BillerID: b.ID, Text: "2024-0001"})
			checkPage(t, pageCase{"the other biller's", ids(theirs), 0}, auditIDs(list), total, err)
		})
	}},
	{"AuditEvents filters by actor id: one account's events, whatever the action", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		account, other := uuid.New(), uuid.New()
		ev := func(bl domain.Biller, d time.Duration, actor uuid.UUID, action domain.AuditAction) domain.AuditEvent {
			e := fullAuditEvent(t, bl, action, at(d))
			e.Actor, e.ActorID = domain.ActorCitizen, actor
			require.NoError(t, s.AppendAudit(ctx, e))
			return e
		}
		login := ev(a, 0, account, domain.AuditLogin)
		changed := ev(a, time.Hour, account, domain.AuditPasswordChanged)
		failed := ev(a, 2*time.Hour, account, domain.AuditLoginFailed)
		ev(a, time.Hour, other, domain.AuditLogin)
		ev(a, time.Hour, uuid.Nil, domain.AuditLoginFailed)
		ev(b, time.Hour, account, domain.AuditLogin) // an id is no key across billers
		ids := func(es ...domain.AuditEvent) []uuid.UUID { return newestFirst(es, auditKey) }
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			list, total, err := tx.AuditEvents(ctx, ports.AuditQuery{BillerID: a.ID, ActorID: account})
			checkPage(t, pageCase{"the account's", ids(login, changed, failed), 0}, auditIDs(list), total, err)
			list, total, err = tx.AuditEvents(ctx, ports.AuditQuery{BillerID: a.ID, ActorID: account, Limit: 2, CountUpTo: 1})
			checkPage(t, pageCase{"newest first, bounded", ids(changed, failed), 1}, auditIDs(list), total, err)
		})
	}},
}

func auditIDs(es []domain.AuditEvent) []uuid.UUID {
	out := make([]uuid.UUID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}
