package backoffice_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// importCSV creates a payer and its invoice, and changes the amount of
// the demo's water invoice (243,11 €).
const importCSV = "type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object\n" +
	"payer;IMP-0001;Jeanne Durand;jeanne@exemple.fr;;;;;;\n" +
	"invoice;;;;IMP-0001;2026-900-000001;05/11/2026;05/12/2026;12,30;Cantine\n" +
	"invoice;;;;DEMO-0001;2026-020-002059;16/11/2026;17/12/2026;250,00;Eau et assainissement, 2e semestre\n"

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func (e *env) payerCount(billerID [16]byte) int {
	e.T.Helper()
	_, n, err := e.Store.SearchPayers(context.Background(), ports.PayerSearch{BillerID: billerID, Limit: 1})
	require.NoError(e.T, err)
	return n
}

func TestImportScreenDryRunThenApply(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	p := b.Get("/gestion/import")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Envoyer un fichier", `enctype="multipart/form-data"`, "Simuler")
	before := e.payerCount(demo.BillerID)

	p = postFile(b, "/gestion/import", map[string]string{"action": "simuler", "format": "auto"}, "factures.csv", importCSV)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Simulation d'import", "Simulation : rien n'a été enregistré.", "2 ligne(s) à créer", "1 ligne(s) à mettre à jour",
		"montant : 243,11\u00a0€ → 250,00\u00a0€", "IMP-0001", "Importer ce fichier", `value="`+sha(importCSV)+`"`, "« factures.csv »")
	assert.Equal(t, before, e.payerCount(demo.BillerID), "a dry run creates nothing")
	inv, err := e.Store.InvoiceByNumber(context.Background(), demo.BillerID, water)
	require.NoError(t, err)
	assert.True(t, dec("243.11").Equal(inv.Amount), "and changes nothing")

	other := importCSV + "payer;IMP-0002;Autre;autre@exemple.fr;;;;;;\n"
	p = postFile(b, "/gestion/import", map[string]string{"action": "importer", "empreinte": sha(importCSV)}, "autre.csv", other)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Ce fichier n'est pas celui de la simulation.")
	assert.Equal(t, before, e.payerCount(demo.BillerID))

	p = postFile(b, "/gestion/import", map[string]string{"action": "importer", "empreinte": sha(importCSV)}, "factures.csv", importCSV)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Import effectué", "Le fichier est importé.", "2 ligne(s) créée(s)")
	assert.Equal(t, before+1, e.payerCount(demo.BillerID))
	inv, err = e.Store.InvoiceByNumber(context.Background(), demo.BillerID, water)
	require.NoError(t, err)
	assert.True(t, dec("250").Equal(inv.Amount))

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditImport})
	require.NoError(t, err)
	require.Len(t, events, 2, "the simulation and the import; the refused mismatch never reached the core")
}

func TestImportScreenRejections(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	b.Get("/gestion/import")
	before := e.payerCount(demo.BillerID)

	bad := importCSV + "invoice;;;;INCONNU;2026-900-000002;05/11/2026;05/12/2026;1;X\n"
	p := postFile(b, "/gestion/import", map[string]string{"action": "simuler"}, "f.csv", bad)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status)
	contains(t, p, "Lignes rejetées", "redevable « INCONNU » inconnu", "Tant qu'une ligne est rejetée")
	notContains(t, p, "Importer ce fichier")
	assert.Regexp(t, regexp.MustCompile(`<td>5</td><td>2026-900-000002</td><td>payer</td>`), p.Body)

	p = postFile(b, "/gestion/import", map[string]string{"action": "importer"}, "f.csv", bad)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status)
	contains(t, p, "Import refusé", "Rien n'a été enregistré.", "l'import aurait donné",
		"2 ligne(s) qui aurai(en)t été créée(s)", "1 ligne(s) qui aurai(en)t été mise(s) à jour", "ce qui aurait été fait", "Résultat prévu")
	notContains(t, p, "ligne(s) créée(s)", "ligne(s) mise(s) à jour</li>")
	assert.Equal(t, before, e.payerCount(demo.BillerID))

	p = postFile(b, "/gestion/import", map[string]string{"action": "simuler"}, "f.csv", "type;reference\nfacture;X\n")
	assert.Equal(t, http.StatusBadRequest, p.Status, "a badly structured file")
	contains(t, p, "Lignes rejetées")
	p = postFile(b, "/gestion/import", map[string]string{"action": "importer"}, "f.csv", "type;reference\nfacture;X\n")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Import refusé", "Rien n'a été enregistré.", "1 ligne(s) rejetée(s)")
	notContains(t, p, "aurait donné", "aurai(en)t été", "ligne(s) créée(s)")

	p = postFile(b, "/gestion/import", map[string]string{"action": "simuler"}, "", "")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Choisissez le fichier à importer.", `href="#fichier"`)
}

func TestImportScreenReaderAndOtherBiller(t *testing.T) {
	e := newEnv(t)
	otherB := e.otherBiller()
	reader := e.Reader()
	p := reader.Get("/gestion/import")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "ne permet pas d'importer")
	notContains(t, p, `name="fichier"`)
	before := e.payerCount(demo.BillerID)
	reader.Get("/gestion/")
	p = postFile(reader, "/gestion/import", map[string]string{"action": "importer"}, "f.csv", importCSV)
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, before, e.payerCount(demo.BillerID))

	other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	other.Get("/gestion/import")
	p = postFile(other, "/gestion/import", map[string]string{"action": "importer"}, "f.csv", importCSV)
	assert.Equal(t, http.StatusUnprocessableEntity, p.Status, "DEMO-0001 is not a payer of the other biller")
	contains(t, p, "redevable « DEMO-0001 » inconnu")
	assert.Equal(t, before, e.payerCount(demo.BillerID))
	assert.Equal(t, 1, e.payerCount(otherB.ID))
}

func TestImportScreenIsStrict(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	b.Get("/gestion/import")
	before := e.payerCount(demo.BillerID)
	for name, tc := range map[string]struct {
		file, body string
		status     int
		want       string
	}{
		"a JSON field twice": {"f.json", "{\"payers\": [\n{\"reference\": \"IMP-1\", \"name\": \"A\",\n \"name\": \"B\"}]}", http.StatusBadRequest,
			`<td>2</td><td></td><td>name</td><td>champ « name » en double</td>`},
		"JSON not in UTF-8": {"f.json", "{\"payers\": [\n{\"reference\": \"IMP-1\",\n \"name\": \"Cr\xe8che\"}]}", http.StatusBadRequest,
			`<td>3</td><td></td><td></td><td>le texte n&#39;est pas en UTF-8 : enregistrez le fichier en UTF-8</td>`},
		"a NUL in a CSV": {"f.csv", "type;reference;name\npayer;IMP-1;Jeanne\x00Durand\n", http.StatusUnprocessableEntity,
			`<td>2</td><td>IMP-1</td><td>name</td><td>caractère NUL interdit</td>`},
		"a NUL in JSON": {"f.json", "{\"payers\": [\n{\"reference\": \"IMP-1\", \"name\": \"A\\u0000\"}]}", http.StatusUnprocessableEntity,
			`<td>2</td><td>IMP-1</td><td>name</td><td>caractère NUL interdit</td>`},
	} {
		t.Run(name, func(t *testing.T) {
			for _, action := range []string{"simuler", "importer"} {
				p := postFile(b, "/gestion/import", map[string]string{"action": action}, tc.file, tc.body)
				assert.Equal(t, tc.status, p.Status, action)
				contains(t, p, "Lignes rejetées")
				assert.Contains(t, p.Body, tc.want, action)
			}
			assert.Equal(t, before, e.payerCount(demo.BillerID), "nothing imported")
		})
	}
}
