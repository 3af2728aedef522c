package importfile_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/importfile"
)

// noLookup is a biller with nothing yet.
type noLookup struct{}

func (noLookup) PayerByRef(string) (domain.Payer, bool)        { return domain.Payer{}, false }
func (noLookup) InvoiceByNumber(string) (domain.Invoice, bool) { return domain.Invoice{}, false }
func (noLookup) EmailOwner(string) (uuid.UUID, bool)           { return uuid.Nil, false }

func parseFile(t *testing.T, path string) domain.ImportBatch {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	batch, lineErrs, err := importfile.Parse(f)
	require.NoError(t, err)
	require.Empty(t, lineErrs)
	return batch
}

func withoutLines(b domain.ImportBatch) domain.ImportBatch {
	out := domain.ImportBatch{}
	for _, p := range b.Payers {
		p.Line = 0
		out.Payers = append(out.Payers, p)
	}
	for _, inv := range b.Invoices {
		inv.Line = 0
		out.Invoices = append(out.Invoices, inv)
	}
	return out
}

func TestTheExamplesSayTheSameAndImportCleanly(t *testing.T) {
	csv := parseFile(t, "testdata/exemple.csv")
	js := parseFile(t, "testdata/exemple.json")
	assert.Equal(t, withoutLines(csv), withoutLines(js), "the two examples hold the same data")

	require.Len(t, csv.Payers, 2)
	require.Len(t, csv.Invoices, 3)
	assert.Equal(t, domain.ImportPayer{Line: 3, ExternalRef: "REF002", Name: "Bernard; Dominique"}, csv.Payers[1], "a quoted separator")
	assert.Equal(t, `Crèche municipale "Les Lutins"`, csv.Invoices[2].Object, "doubled quotes")
	assert.Equal(t, []int{4, 5, 6}, []int{csv.Invoices[0].Line, csv.Invoices[1].Line, csv.Invoices[2].Line})
	assert.Equal(t, []int{3, 4}, []int{js.Payers[0].Line, js.Payers[1].Line})
	assert.Equal(t, []int{7, 16, 17}, []int{js.Invoices[0].Line, js.Invoices[1].Line, js.Invoices[2].Line}, "the line of each member's {")
	assert.Equal(t, "58.40", js.Invoices[1].Amount, "a JSON number keeps its digits")

	b, err := domain.NewBiller(uuid.New(), "Commune", "004200", "", time.Now())
	require.NoError(t, err)
	for name, batch := range map[string]domain.ImportBatch{"csv": csv, "json": js} {
		plan, lineErrs := domain.PlanImport(b, batch, noLookup{}, uuid.New, time.Now())
		assert.Empty(t, lineErrs, name)
		assert.Len(t, plan.NewPayers, 2, name)
		assert.Len(t, plan.NewInvoices, 3, name)
	}
}

func parseCSV(t *testing.T, text string) (domain.ImportBatch, []domain.LineError) {
	t.Helper()
	batch, lineErrs, err := importfile.ParseCSV(strings.NewReader(text))
	require.NoError(t, err)
	return batch, lineErrs
}

func TestCSVVariants(t *testing.T) {
	want := domain.ImportBatch{
		Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "R1", Name: "Nom", Email: "a@exemple.fr"}},
		Invoices: []domain.ImportInvoice{{Line: 3, PayerRef: "R1", Number: "N1", IssueDate: "2026-01-05",
			DueDate: "2026-02-05", Amount: "1,50", Object: "Eau"}},
	}
	tests := map[string]string{
		"semicolons": "type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object\n" +
			"payer;R1;Nom;a@exemple.fr;;;;;;\ninvoice;;;;R1;N1;2026-01-05;2026-02-05;1,50;Eau\n",
		"commas, quoted amount": "type,reference,name,email,payer_reference,number,issue_date,due_date,amount,object\n" +
			"payer,R1,Nom,a@exemple.fr,,,,,,\ninvoice,,,,R1,N1,2026-01-05,2026-02-05,\"1,50\",Eau\n",
		"tabs": "type\treference\tname\temail\tpayer_reference\tnumber\tissue_date\tdue_date\tamount\tobject\n" +
			"payer\tR1\tNom\ta@exemple.fr\t\t\t\t\t\t\ninvoice\t\t\t\tR1\tN1\t2026-01-05\t2026-02-05\t1,50\tEau\n",
		"byte order mark, CRLF, header in capitals and columns in another order": "\xEF\xBB\xBF Type ;OBJECT;Amount;Due_Date;Issue_Date;Number;Payer_Reference;Email;Name;Reference\r\n" +
			"PAYER;;;;;;;a@exemple.fr;Nom;R1\r\nInvoice;Eau;1,50;2026-02-05;2026-01-05;N1;R1;;;\r\n",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			batch, lineErrs := parseCSV(t, text)
			assert.Empty(t, lineErrs)
			assert.Equal(t, want, batch)
		})
	}
	t.Run("blank lines are skipped and a quoted line break keeps the line numbers", func(t *testing.T) {
		batch, lineErrs := parseCSV(t, "type;reference;name\n\npayer;R1;\"Nom\nsur deux lignes\"\n;;\npayer;R2;Autre\n")
		assert.Empty(t, lineErrs)
		require.Len(t, batch.Payers, 2)
		assert.Equal(t, 3, batch.Payers[0].Line)
		assert.Equal(t, "Nom\nsur deux lignes", batch.Payers[0].Name)
		assert.Equal(t, 6, batch.Payers[1].Line)
	})
	t.Run("a file of invoices only needs no payer column", func(t *testing.T) {
		batch, lineErrs := parseCSV(t, "type;payer_reference;number;issue_date;due_date;amount\ninvoice;R1;N1;2026-01-05;2026-02-05;3\n")
		assert.Empty(t, lineErrs)
		assert.Len(t, batch.Invoices, 1)
	})
}

func TestCSVStructureErrors(t *testing.T) {
	header := "type;reference;name;email;payer_reference;number;issue_date;due_date;amount\n"
	tests := []struct {
		name string
		text string
		line int
		msg  string
	}{
		{"an empty file", "", 1, "le fichier est vide"},
		{"an unknown column", "type;reference;nom\n", 1, "colonne « nom » inconnue"},
		{"a column twice", "type;reference;Reference\n", 1, "apparaît deux fois"},
		{"no type column", "reference;name\n", 1, "la colonne « type » manque"},
		{"too few fields", header + "payer;R1;Nom\n", 2, "3 champs au lieu des 9"},
		{"an unknown type", header + "client;R1;Nom;;;;;;\n", 2, "type « client » inconnu"},
		{"a bare quote", header + "payer;R1;Le \"Nom\";;;;;;\n", 2, "guillemet"},
		{"an unclosed quote", header + "payer;R1;\"Nom;;;;;;\n", 2, "guillemet"},
		{"not UTF-8", header + "payer;R1;Cr\xe8che;;;;;;\n", 2, "UTF-8"},
		{"the columns an invoice needs", "type;reference;name;number\ninvoice;;;N1\n", 1, "payer_reference, issue_date, due_date, amount manquante(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, lineErrs := parseCSV(t, tt.text)
			require.NotEmpty(t, lineErrs)
			assert.Equal(t, tt.line, lineErrs[0].Line, "%v", lineErrs)
			assert.Contains(t, lineErrs[0].Message, tt.msg)
		})
	}
	t.Run("every wrong line is reported, up to a limit", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(header)
		for range 500 {
			b.WriteString("client;R1;Nom;;;;;;\n")
		}
		_, lineErrs := parseCSV(t, b.String())
		assert.Len(t, lineErrs, importfile.MaxErrors+1)
		assert.Contains(t, lineErrs[importfile.MaxErrors].Message, "s'arrête")
	})
}

func parseJSON(t *testing.T, text string) (domain.ImportBatch, []domain.LineError) {
	t.Helper()
	batch, lineErrs, err := importfile.ParseJSON(strings.NewReader(text))
	require.NoError(t, err)
	return batch, lineErrs
}

func TestJSONStructureErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		msg  string
	}{
		{"not an object", "[1, 2]", 1, "doit être un objet JSON"},
		{"an unknown key", "{\n\"clients\": []\n}", 2, "clé « clients » inconnue"},
		{"a list that is not one", "{\"payers\":\n {}}", 2, "doit être une liste"},
		{"a member that is not an object", "{\"payers\": [\n\"R1\"]}", 2, "doit être un objet"},
		{"an unknown field", "{\"invoices\": [\n{\"numero\": \"1\"}]}", 2, "champ « numero » inconnu"},
		{"a field that is not text", "{\"payers\": [\n{\"reference\": [\"R1\"]}]}", 2, "valeur invalide"},
		{"a missing comma", "{\"payers\": [\n{\"reference\": \"R1\"}\n{\"reference\": \"R2\"}]}", 3, "JSON invalide"},
		{"a cut file", "{\"payers\": [\n{\"reference\": \"R1\"", 2, "s'arrête avant la fin"},
		{"text after the end", "{}\n{}", 2, "du texte suit"},
		{"a field twice", "{\"payers\": [\n{\"reference\": \"R1\",\n \"name\": \"A\", \"name\": \"B\"}]}", 2, "champ « name » en double"},
		{"a list twice", "{\"payers\": [],\n\"payers\": []}", 2, "clé « payers » en double"},
		{"not UTF-8", "{\"payers\": [\n{\"reference\": \"R1\",\n \"name\": \"Cr\xe8che\"}]}", 3, "n'est pas en UTF-8"},
		{"a cut UTF-8 sequence at the end", "{\"payers\": []}\n\xc3", 2, "n'est pas en UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, lineErrs := parseJSON(t, tt.text)
			require.NotEmpty(t, lineErrs)
			assert.Equal(t, tt.line, lineErrs[0].Line, "%v", lineErrs)
			assert.Contains(t, lineErrs[0].Message, tt.msg)
		})
	}
	t.Run("invalid UTF-8 far in a large file has its line", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{\"payers\": [\n")
		for i := range 5000 {
			fmt.Fprintf(&b, "{\"reference\": \"R%d\", \"name\": \"Crèche é\"},\n", i)
		}
		b.WriteString("{\"reference\": \"X\", \"name\": \"Cr\xe8che\"}]}\n")
		_, lineErrs := parseJSON(t, b.String())
		require.Len(t, lineErrs, 1, "%v", lineErrs)
		assert.Equal(t, 5002, lineErrs[0].Line)
	})
	t.Run("valid UTF-8 split across reads is fine", func(t *testing.T) {
		text := "{\"payers\": [{\"reference\": \"R1\", \"name\": \"Crèche 日本\"}]}"
		batch, lineErrs, err := importfile.ParseJSON(iotest.OneByteReader(strings.NewReader(text)))
		require.NoError(t, err)
		assert.Empty(t, lineErrs)
		assert.Equal(t, "Crèche 日本", batch.Payers[0].Name)

		_, lineErrs, err = importfile.ParseJSON(iotest.OneByteReader(strings.NewReader("{\"payers\": [\n{\"reference\": \"R1\", \"name\": \"Cr\xc3A\"}]}")))
		require.NoError(t, err)
		require.Len(t, lineErrs, 1)
		assert.Equal(t, 2, lineErrs[0].Line, "a character cut by a read, then broken")
	})
	t.Run("null is empty, and the file may hold one list", func(t *testing.T) {
		batch, lineErrs := parseJSON(t, `{"payers": [{"reference": "R1", "name": "Nom", "email": null}]}`)
		assert.Empty(t, lineErrs)
		assert.Equal(t, []domain.ImportPayer{{Line: 1, ExternalRef: "R1", Name: "Nom"}}, batch.Payers)
	})
}

func TestParseTellsTheFormatsApart(t *testing.T) {
	batch, lineErrs, err := importfile.Parse(strings.NewReader("\xEF\xBB\xBF \n {\"payers\": [{\"reference\": \"R1\", \"name\": \"Nom\"}]}"))
	require.NoError(t, err)
	assert.Empty(t, lineErrs)
	assert.Equal(t, 2, batch.Payers[0].Line)
	batch, lineErrs, err = importfile.Parse(strings.NewReader("type;reference;name\npayer;R1;Nom\n"))
	require.NoError(t, err)
	assert.Empty(t, lineErrs)
	assert.Len(t, batch.Payers, 1)
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadFailuresAreErrors(t *testing.T) {
	boom := fmt.Errorf("disk on fire")
	for name, parse := range map[string]func(io.Reader) (domain.ImportBatch, []domain.LineError, error){
		"Parse": importfile.Parse, "ParseCSV": importfile.ParseCSV,
	} {
		_, _, err := parse(io.MultiReader(strings.NewReader("type;reference;name\npayer;R1;Nom\n"), failingReader{boom}))
		assert.ErrorIs(t, err, boom, name)
	}
	_, _, err := importfile.ParseJSON(io.MultiReader(strings.NewReader(`{"payers": [`), failingReader{boom}))
	assert.ErrorIs(t, err, boom, "ParseJSON")
}

// bigCSV writes a file of n invoices, one payer per 100.
func bigCSV(n int) *bytes.Buffer {
	var b bytes.Buffer
	b.WriteString("type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object;pdf\n")
	for i := range n / 100 {
		fmt.Fprintf(&b, "payer;P%07d;Redevable %d;r%d@exemple.fr;;;;;;;\n", i, i, i)
	}
	for i := range n {
		fmt.Fprintf(&b, "invoice;;;;P%07d;2026-%09d;05/01/2026;05/02/2026;%d,%02d;Eau et assainissement;\n", i/100, i, 1+i%500, i%100)
	}
	return &b
}

func TestALargeFileStreams(t *testing.T) {
	const n = 100_000
	buf := bigCSV(n)
	batch, lineErrs, err := importfile.Parse(buf)
	require.NoError(t, err)
	assert.Empty(t, lineErrs)
	require.Len(t, batch.Invoices, n)
	assert.Equal(t, n/100+n+1, batch.Invoices[n-1].Line)
}

func BenchmarkParseCSV(b *testing.B) {
	data := bigCSV(1_000_000).Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		batch, lineErrs, err := importfile.Parse(bytes.NewReader(data))
		if err != nil || len(lineErrs) > 0 || len(batch.Invoices) != 1_000_000 {
			b.Fatal(err, lineErrs)
		}
	}
}
