package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// importTwin is the same biller in the memory store and in PostgreSQL,
// with a portal on each drawing the same random ids: an import must do
// the same on both, the bulk path (ports.ImportTx) on PostgreSQL and
// record by record on memory.
type importTwin struct {
	names   []string
	stores  []ports.Store
	portals []*ports.Portal
	biller  domain.Biller
}

func newImportTwin(t *testing.T) *importTwin {
	t.Helper()
	w := &importTwin{names: []string{"memory", "postgres"}}
	w.stores = []ports.Store{memory.New(), pgtest.NewDB(t)}

	b := portstest.NewBiller(t)
	known := portstest.NewPayer(t, b, "REF001")
	noEmail := portstest.NewPayer(t, b, "REF002")
	noEmail.Email = ""
	account := portstest.NewAccount(t, known)
	account.Email = "connexion@exemple.fr" // the login differs from the payer's address
	open := portstest.NewInvoice(t, known, "2025-0001", "10.00")
	paid := portstest.NewInvoice(t, known, "2025-0002", "20.00")
	_, err := paid.Settle(uuid.Nil, portstest.Epoch, portstest.Epoch)
	require.NoError(t, err)
	locked := portstest.NewInvoice(t, known, "2025-0003", "30.00")
	other := portstest.NewInvoice(t, noEmail, "2025-0004", "40.00")
	pay := portstest.NewPayment(t, b, account, locked)
	locked.Lock(pay.ID, portstest.Epoch.Add(2*time.Hour))
	for _, s := range w.stores {
		require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error {
			portstest.MustSaveBiller(t, tx, b)
			portstest.MustSavePayer(t, tx, known)
			portstest.MustSavePayer(t, tx, noEmail)
			portstest.MustSaveAccount(t, tx, account)
			portstest.MustSaveInvoices(t, tx, open, paid, other)
			portstest.MustSavePayment(t, tx, pay)
			portstest.MustSaveInvoices(t, tx, locked)
			return nil
		}))
		p, err := ports.NewPortal(ports.Deps{
			Store: s, Sessions: &memory.Store{}, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{},
			Clock: portstest.NewFixedClock(portstest.Epoch.Add(time.Hour)), Random: portstest.NewSeqRandom(7),
		}, ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2, MailInline: true,
			ImportPart: 2}) // a streamed import crosses parts every two lines
		require.NoError(t, err)
		w.portals = append(w.portals, p)
	}
	w.biller = b
	return w
}

// importBoth imports batch on both stores and checks they answer alike.
func (w *importTwin) importBoth(t *testing.T, batch domain.ImportBatch, dryRun bool) (ports.ImportResult, []domain.LineError) {
	t.Helper()
	return w.both(t, func(p *ports.Portal) (ports.ImportResult, []domain.LineError, error) {
		return p.Operator().Import(t.Context(), w.biller.ID, batch, dryRun)
	})
}

// both runs an import on both stores and checks they answer alike.
func (w *importTwin) both(t *testing.T, run func(p *ports.Portal) (ports.ImportResult, []domain.LineError, error)) (ports.ImportResult, []domain.LineError) {
	t.Helper()
	var results []ports.ImportResult
	var lineErrs [][]domain.LineError
	for i, p := range w.portals {
		res, errs, err := run(p)
		require.NoError(t, err, w.names[i])
		results = append(results, res)
		lineErrs = append(lineErrs, errs)
	}
	assert.Equal(t, results[0], results[1], "the counts")
	assert.Equal(t, lineErrs[0], lineErrs[1], "the line errors")
	return results[1], lineErrs[1]
}

// assertSameRecords checks that both stores hold the same payers and
// invoices under refs and numbers (or both lack them).
func (w *importTwin) assertSameRecords(t *testing.T, refs, numbers []string) {
	t.Helper()
	ctx := t.Context()
	for _, ref := range refs {
		want, err1 := w.stores[0].PayerByRef(ctx, w.biller.ID, ref)
		got, err2 := w.stores[1].PayerByRef(ctx, w.biller.ID, ref)
		assert.Equal(t, domain.ErrorCode(err1), domain.ErrorCode(err2), "payer %s", ref)
		portstest.AssertSame(t, want, got, "payer %s", ref)
	}
	for _, n := range numbers {
		want, err1 := w.stores[0].InvoiceByNumber(ctx, w.biller.ID, n)
		got, err2 := w.stores[1].InvoiceByNumber(ctx, w.biller.ID, n)
		assert.Equal(t, domain.ErrorCode(err1), domain.ErrorCode(err2), "invoice %s", n)
		portstest.AssertSame(t, want, got, "invoice %s", n)
	}
}

var (
	importRefs    = []string{"REF001", "REF002", "REF100", "REF101", "REF102"}
	importNumbers = []string{"2025-0001", "2025-0002", "2025-0003", "2025-0004", "2026-0001", "2026-0002", "2026-0003", "2026-0009"}
)

// goodBatch creates, updates and leaves unchanged payers and invoices.
func goodBatch() domain.ImportBatch {
	return domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "REF001", Name: "Redevable REF001", Email: "ref001@exemple.fr"}, // unchanged
			{Line: 3, ExternalRef: " REF002 ", Name: "Marie Curie", Email: "Marie@Exemple.fr"},     // updated, trimmed, normalised
			{Line: 4, ExternalRef: "REF100", Name: "Jeanne Durand", Email: "jeanne@exemple.fr"},    // new
			{Line: 5, ExternalRef: "REF101", Name: "Sans Adresse"},                                 // new, no email
		},
		Invoices: []domain.ImportInvoice{
			{Line: 6, PayerRef: "REF001", Number: "2025-0001", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "10.00", Object: "Multi Services"}, // unchanged
			{Line: 7, PayerRef: "REF002", Number: "2025-0004", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "41,50", Object: "Eau"},            // updated
			{Line: 8, PayerRef: "REF100", Number: "2026-0001", IssueDate: "05/01/2026", DueDate: "05/02/2026", Amount: "12,30", Object: "Cantine"},
			{Line: 9, PayerRef: "REF001", Number: " 2026-0002 ", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "7.70", PDF: "f/2026-0002.pdf"},
			{Line: 10, PayerRef: "REF101", Number: "2026-0003", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "1 234,56"},
		},
	}
}

// badBatch has one mistake per line, but for line 5.
func badBatch() domain.ImportBatch {
	return domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "REF102", Name: "Nouveau", Email: "connexion@exemple.fr"}, // an account's login
			{Line: 3, ExternalRef: "REF103", Name: "Autre", Email: "ref001@exemple.fr"},      // another payer's address
			{Line: 4, ExternalRef: "REF104", Name: ""},
		},
		Invoices: []domain.ImportInvoice{
			{Line: 5, PayerRef: "REF001", Number: "2026-0009", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "5"},
			{Line: 6, PayerRef: "REF001", Number: "2025-0002", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "99.00"}, // paid
			{Line: 7, PayerRef: "REF001", Number: "2025-0003", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "99.00"}, // being paid
			{Line: 8, PayerRef: "REF002", Number: "2025-0001", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "10.00"}, // another payer's
			{Line: 9, PayerRef: "REF404", Number: "2026-0010", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "5"},
			{Line: 10, PayerRef: "REF001", Number: "2026-0011", IssueDate: "2026-02-30", DueDate: "2026-03-05", Amount: "5"},
			{Line: 11, PayerRef: "REF001", Number: "2026-0012", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "5,555"},
			{Line: 12, PayerRef: "REF001", Number: "2026-0009", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "5"}, // twice
		},
	}
}

func TestImportDoesWhatTheMemoryStoreDoes(t *testing.T) {
	w := newImportTwin(t)

	res, lineErrs := w.importBoth(t, goodBatch(), true)
	assert.Empty(t, lineErrs)
	assert.Equal(t, ports.ImportResult{PayersCreated: 2, PayersUpdated: 1, InvoicesCreated: 3, InvoicesUpdated: 1, Unchanged: 2}, res)
	_, err := w.stores[1].PayerByRef(t.Context(), w.biller.ID, "REF100")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a dry run changes nothing")
	w.assertSameRecords(t, importRefs, importNumbers)

	res, lineErrs = w.importBoth(t, badBatch(), false)
	require.Len(t, lineErrs, 10, "every line but line 5 is wrong: %v", lineErrs)
	assert.Zero(t, res)
	w.assertSameRecords(t, importRefs, importNumbers)
	_, err = w.stores[1].InvoiceByNumber(t.Context(), w.biller.ID, "2026-0009")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "all or nothing")

	res, lineErrs = w.importBoth(t, goodBatch(), false)
	assert.Empty(t, lineErrs)
	assert.Equal(t, 3, res.InvoicesCreated)
	w.assertSameRecords(t, importRefs, importNumbers)
	inv, err := w.stores[1].InvoiceByNumber(t.Context(), w.biller.ID, "2026-0003")
	require.NoError(t, err)
	assert.Equal(t, "1234.56", inv.Amount.StringFixed(2))

	res, lineErrs = w.importBoth(t, goodBatch(), false)
	assert.Empty(t, lineErrs)
	assert.Equal(t, ports.ImportResult{Unchanged: 9}, res, "importing the same file again changes nothing")
	w.assertSameRecords(t, importRefs, importNumbers)

	// The imported invoices are listed like any other.
	payer, err := w.stores[1].PayerByRef(t.Context(), w.biller.ID, "REF100")
	require.NoError(t, err)
	list, n, err := w.stores[1].ListInvoices(t.Context(), ports.InvoiceQuery{PayerID: payer.ID, Tab: domain.TabUnpaid})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, "2026-0001", list[0].Number)
}

// TestImportFailsWhenARowChangedMeanwhile changes an invoice between the
// lookup and the apply of an import that updates it: the import must not
// overwrite the change, and fails whole.
func TestImportFailsWhenARowChangedMeanwhile(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b, p := seedPayer(t, db)
	inv := portstest.NewInvoice(t, p, "2025-0001", "10.00")
	portstest.MustSaveInvoices(t, db, inv)
	batch := domain.ImportBatch{Invoices: []domain.ImportInvoice{
		{Line: 2, PayerRef: p.ExternalRef, Number: inv.Number, IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "11.00"},
		{Line: 3, PayerRef: p.ExternalRef, Number: "2025-0002", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "1.00"},
	}}
	err := db.Atomic(ctx, func(tx ports.Tx) error {
		bulk, ok := tx.(ports.ImportTx)
		require.True(t, ok, "the PostgreSQL transaction loads imports in bulk")
		lookup, err := bulk.ImportLookup(ctx, b.ID, batch)
		require.NoError(t, err)

		// Meanwhile the payer declares the invoice paid.
		declared := inv
		require.NoError(t, declared.DeclarePaid(portstest.Epoch))
		require.NoError(t, db.SaveInvoice(ctx, declared))

		plan, lineErrs := domain.PlanImport(b, batch, lookup, uuid.New, portstest.Epoch)
		require.Empty(t, lineErrs)
		require.Len(t, plan.UpdatedInvoices, 1)
		return bulk.ApplyImport(ctx, plan)
	})
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "%v", err)
	assert.Contains(t, domain.ErrorMessage(err), "relancez l'import")
	got, err := db.Invoice(ctx, inv.ID)
	require.NoError(t, err)
	assert.False(t, got.DeclaredPaidAt.IsZero(), "the declaration is kept")
	assert.True(t, inv.Amount.Equal(got.Amount))
	_, err = db.InvoiceByNumber(ctx, b.ID, "2025-0002")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "nothing of the import is kept")
}

// TestImportOfAnExistingNumberCreatedMeanwhileIsAConflict: a number
// another transaction created after the lookup fails the import on the
// unique index.
func TestImportOfANumberCreatedMeanwhileIsAConflict(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b, p := seedPayer(t, db)
	var batch domain.ImportBatch
	for i := range 5 {
		batch.Invoices = append(batch.Invoices, domain.ImportInvoice{Line: i + 2, PayerRef: p.ExternalRef,
			Number: fmt.Sprintf("2026-%04d", i), IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "3.00"})
	}
	err := db.Atomic(ctx, func(tx ports.Tx) error {
		bulk := tx.(ports.ImportTx)
		lookup, err := bulk.ImportLookup(ctx, b.ID, batch)
		require.NoError(t, err)
		portstest.MustSaveInvoices(t, db, portstest.NewInvoice(t, p, "2026-0003", "1.00"))
		plan, _ := domain.PlanImport(b, batch, lookup, uuid.New, portstest.Epoch)
		return bulk.ApplyImport(ctx, plan)
	})
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "%v", err)
	assert.Equal(t, "Ce numéro de facture existe déjà.", domain.ErrorMessage(err))
}

// TestImportRefusesANULCharacterOnEveryStore: PostgreSQL cannot store a
// NUL in a text column and memory could; the import refuses it on both,
// with the line and the field, before any store sees it.
func TestImportRefusesANULCharacterOnEveryStore(t *testing.T) {
	w := newImportTwin(t)
	batch := domain.ImportBatch{
		Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "REF100", Name: "Jeanne\x00Durand"}},
		Invoices: []domain.ImportInvoice{
			{Line: 3, PayerRef: "REF001", Number: "2026-0001", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "5", Object: "Eau\x00"},
			{Line: 4, PayerRef: "REF001", Number: "2026-0002", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "5"},
		},
	}
	for _, dryRun := range []bool{true, false} {
		res, lineErrs := w.importBoth(t, batch, dryRun)
		assert.Zero(t, res)
		require.Len(t, lineErrs, 2, "%v", lineErrs)
		assert.Equal(t, "ligne 2, name : caractère NUL interdit", lineErrs[0].Error())
		assert.Equal(t, "ligne 3, object : caractère NUL interdit", lineErrs[1].Error())
	}
	w.assertSameRecords(t, []string{"REF100"}, []string{"2026-0001", "2026-0002"})
	_, err := w.stores[1].InvoiceByNumber(t.Context(), w.biller.ID, "2026-0002")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "all or nothing")
}

// streamBoth is importBoth through Operator.ImportStream, the batch
// handed out as a file's records would be.
func (w *importTwin) streamBoth(t *testing.T, batch domain.ImportBatch, dryRun bool) (ports.ImportResult, []domain.LineError) {
	t.Helper()
	src := func(payer func(domain.ImportPayer) error, invoice func(domain.ImportInvoice) error) ([]domain.LineError, error) {
		for _, row := range batch.Payers {
			if payer != nil {
				if err := payer(row); err != nil {
					return nil, err
				}
			}
		}
		for _, row := range batch.Invoices {
			if invoice != nil {
				if err := invoice(row); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	}
	return w.both(t, func(p *ports.Portal) (ports.ImportResult, []domain.LineError, error) {
		return p.Operator().ImportStream(t.Context(), w.biller.ID, src, dryRun)
	})
}

// addressBatch moves REF001's address to a new payer in a later part of
// the file: the address is judged against the portal before the import,
// whether the part that frees it was applied already or not.
func addressBatch() domain.ImportBatch {
	return domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "REF001", Name: "Redevable REF001", Email: "nouvelle@exemple.fr"},
			{Line: 3, ExternalRef: "REF101", Name: "Sans Adresse"},
			{Line: 4, ExternalRef: "REF100", Name: "Jeanne Durand", Email: "ref001@exemple.fr"},
		},
	}
}

// TestImportStreamDoesWhatImportDoes imports the same batches whole
// (Import) and by parts of two lines (ImportStream), each on both
// stores: the counts, the line errors and the records are the same.
func TestImportStreamDoesWhatImportDoes(t *testing.T) {
	for name, batch := range map[string]domain.ImportBatch{"good": goodBatch(), "bad": badBatch(), "addresses": addressBatch()} {
		t.Run(name, func(t *testing.T) {
			whole, parts := newImportTwin(t), newImportTwin(t)
			for _, dryRun := range []bool{true, false} {
				res, errs := whole.importBoth(t, batch, dryRun)
				got, gotErrs := parts.streamBoth(t, batch, dryRun)
				assert.Equal(t, res, got, "dry run %v", dryRun)
				assert.Equal(t, errs, gotErrs, "dry run %v", dryRun)
				parts.assertSameRecords(t, importRefs, importNumbers)
				if name == "addresses" {
					require.Len(t, gotErrs, 1)
					assert.Equal(t, domain.LineError{Line: 4, Field: "email", Message: "adresse déjà utilisée par un autre redevable", Code: domain.Conflict}, gotErrs[0])
				}
			}
			for _, ref := range importRefs {
				_, err1 := whole.stores[1].PayerByRef(t.Context(), whole.biller.ID, ref)
				_, err2 := parts.stores[1].PayerByRef(t.Context(), parts.biller.ID, ref)
				assert.Equal(t, domain.ErrorCode(err1), domain.ErrorCode(err2), "payer %s", ref)
			}
			for _, n := range importNumbers {
				inv1, err1 := whole.stores[1].InvoiceByNumber(t.Context(), whole.biller.ID, n)
				inv2, err2 := parts.stores[1].InvoiceByNumber(t.Context(), parts.biller.ID, n)
				assert.Equal(t, domain.ErrorCode(err1), domain.ErrorCode(err2), "invoice %s", n)
				assert.Equal(t, inv1.Amount.String(), inv2.Amount.String(), "invoice %s", n)
			}
		})
	}
	t.Run("structure errors stop before any plan", func(t *testing.T) {
		w := newImportTwin(t)
		wrong := []domain.LineError{{Line: 3, Message: "ligne illisible"}}
		for _, p := range w.portals {
			res, errs, err := p.Operator().ImportStream(t.Context(), w.biller.ID, func(payer func(domain.ImportPayer) error, _ func(domain.ImportInvoice) error) ([]domain.LineError, error) {
				if payer != nil {
					if err := payer(domain.ImportPayer{Line: 2, ExternalRef: "REF100", Name: "Jeanne Durand"}); err != nil {
						return nil, err
					}
				}
				return wrong, nil
			}, false)
			require.NoError(t, err)
			assert.Equal(t, wrong, errs)
			assert.Zero(t, res)
		}
		w.assertSameRecords(t, importRefs, importNumbers)
		_, err := w.stores[1].PayerByRef(t.Context(), w.biller.ID, "REF100")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "nothing is saved")
	})
}
