package domain

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The DGFiP's settlement report ("relevé des opérations PayFiP") lists
// the payments the Trésor public received for a biller. What is known of
// its layout comes from one public integration (docs/payfip.md §2.5, SBM's
// Plateforme.php rapprochement()):
//
//   - it is a CSV file whose records are told apart by their first
//     field: EN-TETE (header), LIGNE (one operation), PIED-DE-PAGE
//     (footer); only LIGNE records carry operations;
//   - a LIGNE record's second, third and fourth fields are the date, the
//     debt reference (refdet) and the amount;
//   - the first LIGNE record may hold column titles rather than an
//     operation;
//   - SBM lets its user choose the separator and the quoting character,
//     so neither is fixed.
//
// Everything else is unknown, and ParseSettlementReport is tolerant on
// each point, with these assumptions:
//
//   - the separator is whatever follows the first record type (";", ",",
//     tab or "|"); fields may be quoted with " or ';
//   - the file is UTF-8 (a byte-order mark is skipped) or, when it is not
//     valid UTF-8, Latin-1/Windows-1252;
//   - dates are 21/07/2017, 21-07-2017, 21072017 (PayFiP's dattrans
//     form), 2017-07-21 or 20170721, optionally followed by a time,
//     which is ignored;
//   - amounts are euros with a comma or a point ("12,50", "1 234.50"),
//     or, written without any separator, cents, as PayFiP's montant is
//     (docs/payfip.md §2.1, §3.3). Should the DGFiP write whole euros
//     without decimals instead, the lines come out as "amount differs":
//     a wrong guess flags lines, it never confirms a payment;
//   - every LIGNE is money received; extra fields are ignored;
//   - the period the report covers runs from its earliest to its latest
//     operation date (no known header field gives it).

// SettlementLine is one operation of the settlement report.
type SettlementLine struct {
	// Line is the line number in the file, from 1.
	Line   int
	Date   Date
	Refdet string
	Amount decimal.Decimal
}

// SettlementReport is a parsed settlement report.
type SettlementReport struct {
	Lines []SettlementLine
	// From and To are the first and last operation dates: the period the
	// report covers.
	From, To Date
}

// MaxSettlementErrors bounds the line errors one message lists.
const MaxSettlementErrors = 10

// ParseSettlementReport reads the DGFiP's settlement report. An error
// names every faulty line (up to MaxSettlementErrors), in French.
func ParseSettlementReport(data []byte) (SettlementReport, error) {
	text := decodeReport(data)
	lines := strings.Split(text, "\n")
	var rep SettlementReport
	var errs []string
	sep := rune(0)
	seenLigne := false
	for i, raw := range lines {
		n := i + 1
		raw = strings.TrimRight(raw, "\r")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if sep == 0 {
			sep = detectSeparator(raw)
		}
		fields, err := splitRecord(raw, sep)
		if err != nil {
			errs = append(errs, fmt.Sprintf("ligne %d : %s", n, err))
			continue
		}
		if recordType(fields[0]) != "LIGNE" {
			continue // EN-TETE, PIED-DE-PAGE, or anything else
		}
		first := !seenLigne
		seenLigne = true
		line, err := parseSettlementLine(n, fields)
		if err != nil {
			if first && looksLikeTitles(fields) {
				continue
			}
			errs = append(errs, fmt.Sprintf("ligne %d : %s", n, err))
			continue
		}
		rep.Lines = append(rep.Lines, line)
		if rep.From.IsZero() || line.Date.Before(rep.From) {
			rep.From = line.Date
		}
		if line.Date.After(rep.To) {
			rep.To = line.Date
		}
	}
	if len(errs) > 0 {
		msg := "Le relevé n'a pas été lu : " + strings.Join(errs[:min(len(errs), MaxSettlementErrors)], " ; ")
		if len(errs) > MaxSettlementErrors {
			msg += fmt.Sprintf(" ; et %d autres erreurs", len(errs)-MaxSettlementErrors)
		}
		return SettlementReport{}, &Error{Code: Invalid, Field: "report", Message: msg + "."}
	}
	if !seenLigne {
		return SettlementReport{}, FieldError("report", "Ce fichier ne contient aucune opération (lignes commençant par LIGNE) : est-ce bien le relevé des opérations PayFiP de la DGFiP ?")
	}
	return rep, nil
}

// decodeReport returns the report as text: UTF-8 without its byte-order
// mark, or Windows-1252 when it is not valid UTF-8: Latin-1 byte by
// byte, except the euro sign 0x80 (the other characters 0x81-0x9f do not
// occur in the fields used).
func decodeReport(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	r := make([]rune, len(data))
	for i, b := range data {
		r[i] = rune(b)
		if b == 0x80 {
			r[i] = '€'
		}
	}
	return string(r)
}

// detectSeparator returns the character that ends the first field of a
// record: the record type is letters and dashes, so the first other
// character is the separator. It defaults to ";".
func detectSeparator(line string) rune {
	for _, r := range strings.TrimLeft(line, " \"'") {
		if r == ';' || r == ',' || r == '\t' || r == '|' {
			return r
		}
		if !unicode.IsLetter(r) && r != '-' && r != '_' && r != ' ' && r != '"' && r != '\'' {
			break
		}
	}
	return ';'
}

// splitRecord splits one line by sep, honouring double quotes, and trims
// spaces and single quotes around each field.
func splitRecord(line string, sep rune) ([]string, error) {
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = sep
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	fields, err := r.Read()
	if err != nil || len(fields) == 0 {
		return nil, fmt.Errorf("enregistrement illisible")
	}
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if len(f) >= 2 && f[0] == '\'' && f[len(f)-1] == '\'' {
			f = f[1 : len(f)-1]
		}
		fields[i] = strings.TrimSpace(f)
	}
	return fields, nil
}

// recordType normalises a record's first field: "ligne", "Ligne " and
// "LIGNE" alike.
func recordType(f string) string {
	return strings.ToUpper(strings.TrimSpace(f))
}

// looksLikeTitles tells a line of column titles ("LIGNE;Date;Référence;
// Montant") from an operation with a typo: no field after the type
// holds a digit.
func looksLikeTitles(fields []string) bool {
	for _, f := range fields[1:] {
		if strings.ContainsAny(f, "0123456789") {
			return false
		}
	}
	return true
}

func parseSettlementLine(n int, fields []string) (SettlementLine, error) {
	if len(fields) < 4 {
		return SettlementLine{}, fmt.Errorf("%d champs au lieu d'au moins 4 (LIGNE, date, référence, montant)", len(fields))
	}
	d, err := parseReportDate(fields[1])
	if err != nil {
		return SettlementLine{}, err
	}
	refdet := fields[2]
	if err := CheckRefdet(refdet); err != nil {
		return SettlementLine{}, fmt.Errorf("référence « %s » invalide (6 à 30 lettres et chiffres)", clip(refdet))
	}
	amount, err := parseReportAmount(fields[3])
	if err != nil {
		return SettlementLine{}, err
	}
	return SettlementLine{Line: n, Date: d, Refdet: refdet, Amount: amount}, nil
}

// parseReportDate reads the forms listed at the top of this file; a time
// after a space or a "T" is ignored.
func parseReportDate(s string) (Date, error) {
	bad := fmt.Errorf("date « %s » illisible (attendu par exemple 21/07/2017)", clip(s))
	v := strings.TrimSpace(s)
	if i := strings.IndexAny(v, " T"); i > 0 {
		v = v[:i]
	}
	for _, layout := range []string{"02/01/2006", "02-01-2006", "02012006", "2006-01-02", "20060102", "2/1/2006"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		// Bounds that also keep the 8-digit forms apart: 21072017 can
		// only be a day first, 20170721 only a year first.
		if t.Year() < 2000 || t.Year() > 2099 {
			continue
		}
		return NewDate(t.Year(), t.Month(), t.Day()), nil
	}
	return Date{}, bad
}

// parseReportAmount reads euros with decimals, or cents without.
func parseReportAmount(s string) (decimal.Decimal, error) {
	bad := fmt.Errorf("montant « %s » illisible (attendu par exemple 42,50)", clip(s))
	v := strings.TrimSpace(s)
	v = strings.TrimSuffix(v, "EUR")
	v = strings.TrimSuffix(strings.TrimSpace(v), "€")
	v = amountSpaces.Replace(strings.TrimSpace(v))
	if v == "" || strings.HasPrefix(v, "-") {
		return decimal.Decimal{}, bad
	}
	comma, dot := strings.LastIndexByte(v, ','), strings.LastIndexByte(v, '.')
	switch {
	case comma < 0 && dot < 0:
		// No separator: cents, as PayFiP writes montant.
		for _, r := range v {
			if r < '0' || r > '9' {
				return decimal.Decimal{}, bad
			}
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			return decimal.Decimal{}, bad
		}
		return d.Shift(-2), nil
	case comma > dot:
		// 1.234,50: the comma is the decimal separator.
		v = strings.ReplaceAll(v, ".", "")
		v = strings.Replace(v, ",", ".", 1)
	default:
		// 1,234.50
		v = strings.ReplaceAll(v, ",", "")
	}
	d, err := ParseAmount(v)
	if err != nil {
		return decimal.Decimal{}, bad
	}
	return d, nil
}

// clip shortens what a message quotes from a file.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
