package importfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/portail-factures/portail/domain"
)

// The columns and fields of an import file.
const (
	colType      = "type"
	colReference = "reference"
	colName      = "name"
	colEmail     = "email"
	colPayerRef  = "payer_reference"
	colNumber    = "number"
	colIssueDate = "issue_date"
	colDueDate   = "due_date"
	colAmount    = "amount"
	colObject    = "object"
	colPDF       = "pdf"
)

// The values of the type column.
const (
	typePayer   = "payer"
	typeInvoice = "invoice"
)

var (
	// payerFields are the fields of a payer, the required ones first.
	payerFields    = []string{colReference, colName, colEmail}
	payerRequired  = 2
	invoiceFields  = []string{colPayerRef, colNumber, colIssueDate, colDueDate, colAmount, colObject, colPDF}
	invoiceNeeded  = 5
	allColumns     = slices.Concat([]string{colType}, payerFields, invoiceFields)
	columnsSummary = strings.Join(allColumns, ", ")
)

// csvRecord reads the columns of one record by name.
type csvRecord struct {
	index  map[string]int
	fields []string
}

func (r csvRecord) get(col string) string {
	if i, ok := r.index[col]; ok {
		return r.fields[i]
	}
	return ""
}

func parseCSV(br *bufio.Reader, out Records) ([]domain.LineError, error) {
	var errs errorList
	if err := skipBOM(br); err != nil {
		return nil, err
	}
	sep, err := separator(br)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(br)
	r.Comma = sep
	r.FieldsPerRecord = -1 // counted here, with a clearer message
	r.ReuseRecord = true

	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		errs.add(1, "", "le fichier est vide : sa première ligne doit nommer les colonnes (%s)", columnsSummary)
		return errs.errs, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, err
		}
		errs.add(pe.Line, "", "%s", csvProblem(pe.Err))
		return errs.errs, nil
	}
	rec := csvRecord{index: make(map[string]int, len(header))}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := rec.index[name]; dup {
			errs.add(1, "", "la colonne « %s » apparaît deux fois", name)
			continue
		}
		if !slices.Contains(allColumns, name) {
			errs.add(1, "", "colonne « %s » inconnue : les colonnes possibles sont %s", h, columnsSummary)
			continue
		}
		rec.index[name] = i
	}
	if _, ok := rec.index[colType]; !ok && len(errs.errs) == 0 {
		errs.add(1, "", "la colonne « type » manque : elle dit si chaque ligne est un redevable (payer) ou une facture (invoice) ; séparateur lu : « %s »", string(sep))
	}
	if len(errs.errs) > 0 {
		return errs.errs, nil
	}
	width := len(header)
	missing := func(fields []string, needed int) []string {
		var out []string
		for _, f := range fields[:needed] {
			if _, ok := rec.index[f]; !ok {
				out = append(out, f)
			}
		}
		return out
	}
	checked := map[string]bool{}

	for !errs.full() {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, err
			}
			errs.add(pe.Line, "", "%s", csvProblem(pe.Err))
			continue
		}
		line, _ := r.FieldPos(0)
		if blank(fields) {
			continue
		}
		if len(fields) != width {
			errs.add(line, "", "%d champs au lieu des %d de la ligne d'en-tête : vérifiez le séparateur (« %s ») et les guillemets", len(fields), width, string(sep))
			continue
		}
		if !validUTF8(fields) {
			errs.add(line, "", "le texte n'est pas en UTF-8 : enregistrez le fichier en UTF-8")
			continue
		}
		rec.fields = fields
		kind := strings.ToLower(strings.TrimSpace(rec.get(colType)))
		switch kind {
		case typePayer, typeInvoice:
			fieldsOf, needed := payerFields, payerRequired
			if kind == typeInvoice {
				fieldsOf, needed = invoiceFields, invoiceNeeded
			}
			if !checked[kind] {
				checked[kind] = true
				if m := missing(fieldsOf, needed); len(m) > 0 {
					errs.add(1, "", "colonne(s) %s manquante(s) : les lignes « %s » en ont besoin", strings.Join(m, ", "), kind)
				}
			}
		}
		switch kind {
		case typePayer:
			if out.Payer != nil {
				err = out.Payer(domain.ImportPayer{
					Line: line, ExternalRef: rec.get(colReference), Name: rec.get(colName), Email: rec.get(colEmail),
				})
			}
		case typeInvoice:
			if out.Invoice != nil {
				err = out.Invoice(domain.ImportInvoice{
					Line: line, PayerRef: rec.get(colPayerRef), Number: rec.get(colNumber),
					IssueDate: rec.get(colIssueDate), DueDate: rec.get(colDueDate), Amount: rec.get(colAmount),
					Object: rec.get(colObject), PDF: rec.get(colPDF),
				})
			}
		default:
			errs.add(line, colType, "type « %s » inconnu : écrivez payer pour un redevable ou invoice pour une facture", rec.get(colType))
		}
		if err != nil {
			return nil, err
		}
	}
	return errs.errs, nil
}

// separator returns the separator the header line uses most, outside
// quotes: « ; » (a French spreadsheet's), « , » or tab.
func separator(br *bufio.Reader) (rune, error) {
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, err
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ';' || c == ',' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(';')
	for _, c := range []byte{',', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best), nil
}

// csvProblem says in French what the CSV reader found wrong.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return "guillemet manquant ou en trop dans un champ entre guillemets"
	case errors.Is(err, csv.ErrBareQuote):
		return "guillemet (\") dans un champ qui n'est pas entre guillemets : mettez le champ entre guillemets et doublez ses guillemets"
	}
	return "ligne illisible"
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func validUTF8(fields []string) bool {
	for _, f := range fields {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}
