package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// BenchmarkRetentionJob measures the retention job on PostgreSQL: each
// iteration closes 1000 accounts (each with a message, a link and 20 lines
// of its own in the audit log) 13 months before the run, then runs the job
// once. README, "Privacy (RGPD)".
func BenchmarkRetentionJob(b *testing.B) {
	const accounts, audit = 1000, 20
	db := pgtest.NewDB(b)
	ctx := b.Context()
	clock := portstest.NewFixedClock(portstest.Epoch.AddDate(2, 0, 0))
	p, err := ports.NewPortal(ports.Deps{Store: db, Sessions: db, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{}, Clock: clock},
		ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2})
	if err != nil {
		b.Fatal(err)
	}
	biller := portstest.NewBiller(b)
	portstest.MustSaveBiller(b, db, biller)
	erased := 0
	for i := range b.N {
		b.StopTimer()
		clock.Advance(24 * time.Hour) // a new day: a new run
		err := db.Atomic(ctx, func(tx ports.Tx) error {
			for j := range accounts {
				payer := portstest.NewPayer(b, biller, fmt.Sprintf("R%d-%05d", i, j))
				portstest.MustSavePayer(b, tx, payer)
				a := portstest.NewAccount(b, payer)
				a.SetPassword("$argon2id$hash", portstest.Epoch)
				if err := a.Close(clock.Now().AddDate(0, -13, 0)); err != nil {
					return err
				}
				portstest.MustSaveAccount(b, tx, a)
				portstest.MustSaveMessage(b, tx, portstest.NewMessage(b, a, "Question", portstest.Epoch))
				tok, _ := portstest.NewToken(b, a, domain.TokenReset)
				portstest.MustSaveToken(b, tx, tok)
				for k := range audit {
					if err := tx.AppendAudit(ctx, domain.AuditEvent{ID: uuid.New(), BillerID: biller.ID,
						At: portstest.Epoch.Add(time.Duration(k) * time.Minute), Actor: domain.ActorCitizen, ActorID: a.ID,
						ActorLabel: a.Email, Action: domain.AuditLogin, Target: a.Email, Detail: "Connexion.", IP: "192.0.2.1"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := p.Jobs().RunRetention(ctx)
		if err != nil {
			b.Fatal(err)
		}
		erased += n
	}
	if erased != accounts*b.N {
		b.Fatalf("erased %d accounts, want %d", erased, accounts*b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(erased), "ms/account")
}
