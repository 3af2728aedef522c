package importfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/portail-factures/portail/domain"
)

// parseJSON walks the file token by token, so that it knows the line of
// every member and never holds more than one member at a time.
func parseJSON(br *bufio.Reader, out Records) ([]domain.LineError, error) {
	if err := skipBOM(br); err != nil {
		return nil, err
	}
	lc := newLineCounter(br)
	dec := json.NewDecoder(lc)
	dec.UseNumber()
	p := &jsonParser{dec: dec, lines: lc, out: out}
	err := p.file()
	if p.outErr != nil {
		return nil, p.outErr
	}
	var stop *stopError
	if err != nil && !errors.As(err, &stop) {
		return nil, err
	}
	p.stopsOnUTF8() // invalid bytes the walk did not reach, or a character cut at the end
	return p.errs.errs, nil
}

// stopError ends the reading of a file whose JSON is broken: the decoder
// cannot go on after a syntax error.
type stopError struct{}

func (*stopError) Error() string { return "stop" }

type jsonParser struct {
	dec   *json.Decoder
	lines *lineCounter
	errs  errorList
	out   Records
	// outErr is the first error of out's functions: it stops the reading.
	outErr error
	// utf8Told is set once the file's invalid UTF-8 is reported.
	utf8Told bool
}

// stopsOnUTF8 is badUTF8 once the reading has stopped (end of the file,
// or an error there): then any invalid byte read, or a character left
// cut, is the file's fault.
func (p *jsonParser) stopsOnUTF8() bool {
	p.lines.flush()
	return p.badUTF8(p.lines.read)
}

// badUTF8 reports, once, the file's first invalid UTF-8 byte when it lies
// before offset, and says whether the file has one there. encoding/json
// would read such bytes as U+FFFD without a word.
func (p *jsonParser) badUTF8(offset int64) bool {
	if p.utf8Told {
		return true
	}
	if p.lines.badAt < 0 || p.lines.badAt >= offset {
		return false
	}
	p.utf8Told = true
	p.errs.add(p.lines.badLine, "", "le texte n'est pas en UTF-8 : enregistrez le fichier en UTF-8")
	return true
}

// line is the line of the token the decoder returned last.
func (p *jsonParser) line() int { return p.lines.line(p.dec.InputOffset() - 1) }

// token returns the next token; a broken file is a line error that stops
// the reading, an I/O failure an error.
func (p *jsonParser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == nil {
		if p.badUTF8(p.dec.InputOffset()) {
			return nil, &stopError{}
		}
		return tok, nil
	}
	var se *json.SyntaxError
	broken := errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	switch {
	case broken && p.stopsOnUTF8():
		// Bytes that are not UTF-8 are what breaks the JSON.
	case errors.As(err, &se):
		p.errs.add(p.lines.line(se.Offset), "", "JSON invalide à cet endroit : une virgule, un guillemet, un crochet ou une accolade manque ou est en trop")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		p.errs.add(p.lines.line(p.dec.InputOffset()), "", "le fichier s'arrête avant la fin du JSON")
	default:
		return nil, err
	}
	return nil, &stopError{}
}

func (p *jsonParser) file() error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		p.errs.add(p.line(), "", `le fichier doit être un objet JSON : {"payers": [ … ], "invoices": [ … ]}`)
		return nil
	}
	lists := map[string]bool{}
	for p.dec.More() && !p.errs.full() {
		tok, err := p.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if (key == "payers" || key == "invoices") && lists[key] {
			p.errs.add(p.line(), "", "clé « %s » en double : le fichier a une seule liste %s", key, key)
			if err := p.skip(); err != nil {
				return err
			}
			continue
		}
		lists[key] = true
		switch key {
		case "payers":
			err = p.list(key, p.payer)
		case "invoices":
			err = p.list(key, p.invoice)
		default:
			p.errs.add(p.line(), "", "clé « %s » inconnue : le fichier a deux listes, payers et invoices", key)
			err = p.skip()
		}
		if err != nil {
			return err
		}
	}
	if _, err := p.token(); err != nil { // the closing }
		return err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) && !p.stopsOnUTF8() {
		p.errs.add(p.lines.line(p.dec.InputOffset()), "", "du texte suit la fin de l'objet JSON")
	}
	return nil
}

// list reads an array of objects, each with member.
func (p *jsonParser) list(key string, member func(line int, fields map[string]string)) error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		p.errs.add(p.line(), "", "« %s » doit être une liste : [ … ]", key)
		return p.skipRest(tok)
	}
	for p.dec.More() && !p.errs.full() && p.outErr == nil {
		tok, err := p.token()
		if err != nil {
			return err
		}
		line := p.line()
		if tok != json.Delim('{') {
			p.errs.add(line, "", "chaque élément de « %s » doit être un objet : { … }", key)
			if err := p.skipRest(tok); err != nil {
				return err
			}
			continue
		}
		fields, ok, err := p.object(line, key)
		if err != nil {
			return err
		}
		if ok {
			member(line, fields)
		}
	}
	_, err = p.token() // the closing ]
	return err
}

// object reads the members of an object whose « { » was read, as text.
// It reports whether they were all acceptable.
func (p *jsonParser) object(line int, list string) (map[string]string, bool, error) {
	allowed := payerFields
	if list == "invoices" {
		allowed = invoiceFields
	}
	fields := make(map[string]string, len(allowed))
	ok := true
	for p.dec.More() {
		tok, err := p.token()
		if err != nil {
			return nil, false, err
		}
		key, _ := tok.(string)
		known := false
		for _, f := range allowed {
			known = known || f == key
		}
		if _, twice := fields[key]; twice {
			// Which of the two values is meant cannot be known.
			ok = false
			p.errs.add(line, key, "champ « %s » en double", key)
		} else if !known {
			ok = false
			p.errs.add(line, "", "champ « %s » inconnu : les champs possibles sont %s", key, strings.Join(allowed, ", "))
		}
		tok, err = p.token()
		if err != nil {
			return nil, false, err
		}
		switch v := tok.(type) {
		case string:
			fields[key] = v
		case json.Number:
			fields[key] = v.String()
		case nil:
			fields[key] = ""
		default:
			ok = false
			p.errs.add(line, key, "valeur invalide : écrivez un texte entre guillemets")
			if err := p.skipRest(tok); err != nil {
				return nil, false, err
			}
		}
	}
	_, err := p.token() // the closing }
	return fields, ok, err
}

func (p *jsonParser) payer(line int, f map[string]string) {
	if p.outErr == nil && p.out.Payer != nil {
		p.outErr = p.out.Payer(domain.ImportPayer{
			Line: line, ExternalRef: f[colReference], Name: f[colName], Email: f[colEmail],
		})
	}
}

func (p *jsonParser) invoice(line int, f map[string]string) {
	if p.outErr == nil && p.out.Invoice != nil {
		p.outErr = p.out.Invoice(domain.ImportInvoice{
			Line: line, PayerRef: f[colPayerRef], Number: f[colNumber], IssueDate: f[colIssueDate],
			DueDate: f[colDueDate], Amount: f[colAmount], Object: f[colObject], PDF: f[colPDF],
		})
	}
}

// skip reads and drops the next value.
func (p *jsonParser) skip() error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	return p.skipRest(tok)
}

// skipRest drops the rest of a value whose first token was tok.
func (p *jsonParser) skipRest(tok json.Token) error {
	depth := 0
	for {
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
		var err error
		if tok, err = p.token(); err != nil {
			return err
		}
	}
}

// lineCounter notes where the newlines are in what the decoder reads, so
// that an offset can be turned into a line number. Offsets are asked in
// increasing order, so it forgets the newlines behind the last one asked:
// its memory stays that of the decoder's read-ahead.
//
// It also checks that what it reads is UTF-8: badAt is the offset of the
// first byte that is not (-1 while there is none), badLine its line.
type lineCounter struct {
	r      io.Reader
	read   int64   // bytes read so far
	nl     []int64 // offsets of the newlines not yet behind an offset asked
	passed int     // newlines behind the last offset asked
	seen   int     // newlines read so far
	// carry is the start of a character cut by the end of the last read.
	carry   []byte
	badAt   int64
	badLine int
}

func newLineCounter(r io.Reader) *lineCounter { return &lineCounter{r: r, badAt: -1} }

func (c *lineCounter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.checkUTF8(b[:n], err == io.EOF)
	for i := 0; i < n; {
		j := bytes.IndexByte(b[i:n], '\n')
		if j < 0 {
			break
		}
		c.nl = append(c.nl, c.read+int64(i+j))
		c.seen++
		i += j + 1
	}
	c.read += int64(n)
	return n, err
}

// flush marks a character still cut when the reading stops as invalid:
// what follows it will never come.
func (c *lineCounter) flush() {
	if c.badAt < 0 && len(c.carry) > 0 {
		c.badAt, c.badLine = c.read-int64(len(c.carry)), c.seen+1
	}
	c.carry = nil
}

// checkUTF8 checks b, read at offset c.read, notes its first invalid byte
// and keeps a character cut at its end for the next read; at the end of
// the input a cut character is invalid.
func (c *lineCounter) checkUTF8(b []byte, end bool) {
	if c.badAt >= 0 {
		return
	}
	bad := func(at int64, line int) { c.badAt, c.badLine, c.carry = at, line, nil }
	i := 0
	if len(c.carry) > 0 {
		// Finish the character the last read cut; carried bytes are
		// never newlines.
		head := append(c.carry, b[:min(len(b), utf8.UTFMax-len(c.carry))]...)
		if !utf8.FullRune(head) && !end {
			c.carry = head
			return
		}
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size == 1 {
			bad(c.read-int64(len(c.carry)), c.seen+1)
			return
		}
		i, c.carry = size-len(c.carry), nil
	}
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !utf8.FullRune(b[i:]) && !end {
			break
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			bad(c.read+int64(i), c.seen+bytes.Count(b[:i], []byte{'\n'})+1)
			return
		}
		i += size
	}
	c.carry = append(c.carry[:0], b[i:]...)
}

// line returns the line of the byte at offset off, counted from 1.
func (c *lineCounter) line(off int64) int {
	i := 0
	for i < len(c.nl) && c.nl[i] < off {
		i++
	}
	c.passed += i
	c.nl = c.nl[i:]
	return c.passed + 1
}
