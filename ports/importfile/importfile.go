// Package importfile reads the files a billing service's software exports
// for the portal — its payers ("redevables") and their invoices — into a
// domain.ImportBatch for ports.Portal.Import. Two formats carry the same
// fields: CSV, as a spreadsheet or most billing software writes it, and
// JSON.
//
// # CSV
//
// UTF-8, with or without a byte order mark; the separator is the one the
// header line uses most, among « ; », « , » and tab; fields may be quoted
// ("…", "" for a quote). The first line names the columns, in any order
// and any case. Each following line is a payer or an invoice, as its type
// column says; the columns of the other type stay empty and are ignored.
// Empty lines are skipped.
//
//	type             payer or invoice
//	reference        payer: the payer's reference in the billing software (unique, required)
//	name             payer: the name shown on the portal (required)
//	email            payer: the address allowed to activate the account (may be empty)
//	payer_reference  invoice: the reference of its payer, in the file or already on the portal
//	number           invoice: its number, unique within the billing service
//	issue_date       invoice: 2026-01-05 or 05/01/2026
//	due_date         invoice: the due date ("échéance"), same formats
//	amount           invoice: euros, 243.11 or 243,11 (1 234,56 too)
//	object           invoice: what it is for, "Eau et assainissement" (may be empty)
//	pdf              invoice: the name of its PDF document (may be empty)
//
// The columns email, object and pdf may be left out; the others are
// needed as soon as the file has a line of their type. An example:
//
//	type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object;pdf
//	payer;REF001;Camille Martin;camille.martin@exemple.fr;;;;;;;
//	invoice;;;;REF001;2026-020-003101;05/01/2026;05/02/2026;243,11;Eau et assainissement;
//
// # JSON
//
// One object with two arrays, payers and invoices, whose members have the
// fields above (type aside); an amount may be a string or a number:
//
//	{
//	  "payers": [
//	    {"reference": "REF001", "name": "Camille Martin", "email": "camille.martin@exemple.fr"}
//	  ],
//	  "invoices": [
//	    {"payer_reference": "REF001", "number": "2026-020-003101", "issue_date": "2026-01-05",
//	     "due_date": "2026-02-05", "amount": "243.11", "object": "Eau et assainissement"}
//	  ]
//	}
//
// A line number is the line of the CSV record, or of the « { » opening
// the JSON member.
//
// Both readers stream: a file of a million lines is never held as one
// string; Parse holds the batch it becomes, Scan only one record at a
// time. This package checks the file's
// structure (columns, types, quotes, a JSON field or list given twice,
// UTF-8 byte for byte: a JSON decoder alone would read invalid bytes as
// U+FFFD); the values themselves, a NUL character included, are
// checked by domain.PlanImport, which reports every wrong line at once.
// Messages are French: they are shown to the billing service.
package importfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/portail-factures/portail/domain"
)

// MaxErrors is how many structure errors a reader reports before it stops
// reading: a file that wrong needs fixing, not a longer list.
const MaxErrors = 100

// Format is an import file's format.
type Format string

// The formats.
const (
	CSV  Format = "csv"
	JSON Format = "json"
)

// Parse reads an import file in either format: JSON when its first
// character (after a byte order mark and spaces) is « { », CSV otherwise.
// It returns the batch and the line errors of a badly structured file;
// with line errors the batch is incomplete and must not be imported. The
// error is r's own failure.
func Parse(r io.Reader) (domain.ImportBatch, []domain.LineError, error) {
	var b batcher
	errs, err := Scan(r, b.records())
	return b.batch, errs, err
}

// ParseCSV reads a CSV import file.
func ParseCSV(r io.Reader) (domain.ImportBatch, []domain.LineError, error) {
	var b batcher
	errs, err := parseCSV(bufio.NewReaderSize(r, 64<<10), b.records())
	return b.batch, errs, err
}

// ParseJSON reads a JSON import file.
func ParseJSON(r io.Reader) (domain.ImportBatch, []domain.LineError, error) {
	var b batcher
	errs, err := parseJSON(bufio.NewReaderSize(r, 64<<10), b.records())
	return b.batch, errs, err
}

// Records receives an import file's records as Scan reads them, in the
// file's order; a nil function skips its records. An error a function
// returns stops the reading: Scan returns it.
type Records struct {
	Payer   func(domain.ImportPayer) error
	Invoice func(domain.ImportInvoice) error
}

// Scan reads an import file in either format, as Parse does, and hands
// each record to out as soon as it is read, holding none: a file of any
// size reads in the memory of one record. It returns the line errors of
// a badly structured file; with line errors, the records out received
// are not the whole file and must not be imported. The error is r's own
// failure, or out's.
func Scan(r io.Reader, out Records) ([]domain.LineError, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	f, err := sniff(br)
	if err != nil {
		return nil, err
	}
	if f == JSON {
		return parseJSON(br, out)
	}
	return parseCSV(br, out)
}

// batcher collects the records of a file into a batch.
type batcher struct {
	batch domain.ImportBatch
}

func (b *batcher) records() Records {
	return Records{
		Payer: func(p domain.ImportPayer) error {
			b.batch.Payers = append(b.batch.Payers, p)
			return nil
		},
		Invoice: func(inv domain.ImportInvoice) error {
			b.batch.Invoices = append(b.batch.Invoices, inv)
			return nil
		},
	}
}

var bom = []byte("\xEF\xBB\xBF")

// skipBOM drops a UTF-8 byte order mark at the start of br.
func skipBOM(br *bufio.Reader) error {
	head, err := br.Peek(len(bom))
	if err != nil && err != io.EOF {
		return err
	}
	if bytes.Equal(head, bom) {
		_, _ = br.Discard(len(bom))
	}
	return nil
}

// sniff tells JSON from CSV by the first character, without consuming it.
func sniff(br *bufio.Reader) (Format, error) {
	if err := skipBOM(br); err != nil {
		return "", err
	}
	for n := 1; ; n++ {
		head, err := br.Peek(n)
		if len(head) < n {
			if err != nil && err != io.EOF {
				return "", err
			}
			return CSV, nil
		}
		switch head[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return JSON, nil
		}
		return CSV, nil
	}
}

// errorList collects line errors up to MaxErrors.
type errorList struct {
	errs []domain.LineError
}

// add records an error and reports whether reading may go on.
func (l *errorList) add(line int, field, format string, args ...any) bool {
	if len(l.errs) < MaxErrors {
		l.errs = append(l.errs, domain.LineError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(l.errs) == MaxErrors {
		l.errs = append(l.errs, domain.LineError{Line: line, Message: fmt.Sprintf("plus de %d erreurs : la lecture du fichier s'arrête ici", MaxErrors)})
	}
	return len(l.errs) <= MaxErrors
}

// full reports whether the list reached MaxErrors.
func (l *errorList) full() bool { return len(l.errs) > MaxErrors }
