package smtp

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// compose checks the header values of mail and builds the message: From,
// To, Reply-To, Subject (RFC 2047 encoded words when not plain ASCII),
// Date, Message-ID, List-Unsubscribe and List-Unsubscribe-Post when the
// mail can be turned off (RFC 8058), and a multipart/alternative body with
// a text/plain and a text/html part, both UTF-8 in quoted-printable, so
// that the message is 7-bit clean and its accents survive any relay; the
// attachments follow in base64 (multipart/mixed).
func (m *Mailer) compose(mail ports.Mail) (*gomail.Msg, error) {
	to, err := parseAddress("To", mail.To)
	if err != nil {
		return nil, invalid(err)
	}
	var replyTo *netmail.Address
	if mail.ReplyTo != "" {
		if replyTo, err = parseAddress("Reply-To", mail.ReplyTo); err != nil {
			return nil, invalid(err)
		}
	}
	if err := checkHeader("Subject", mail.Subject); err != nil {
		return nil, invalid(err)
	}
	if mail.Unsubscribe != "" {
		if err := checkUnsubscribe(mail.Unsubscribe); err != nil {
			return nil, invalid(err)
		}
	}
	for i, a := range mail.Attachments {
		if err := checkHeader(fmt.Sprintf("attachment %d name", i+1), a.Name); err != nil {
			return nil, invalid(err)
		}
		if a.Name == "" || strings.ContainsAny(a.Name, `/\"`) {
			return nil, invalid(fmt.Errorf("attachment %d: want a file name without a path or a quote", i+1))
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return nil, invalid(fmt.Errorf("attachment %d: content type is not a media type", i+1))
		}
	}

	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		// go-mail would otherwise announce itself and its version.
		gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(m.from)
	msg.ToMailAddress(to)
	if replyTo != nil {
		msg.ReplyToMailAddress(replyTo)
	}
	msg.Subject(mail.Subject)
	msg.SetDateWithValue(time.Now())
	// go-mail's own Message-ID names this machine; the sender's domain is
	// what RFC 5322 §3.6.4 suggests, and what spam filters expect.
	msg.SetMessageIDWithValue(rand.Text() + "@" + m.domain)
	if mail.Unsubscribe != "" {
		msg.SetGenHeader(gomail.Header("List-Unsubscribe"), "<"+mail.Unsubscribe+">")
		msg.SetGenHeader(gomail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, mail.Text)
	if mail.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, mail.HTML)
	}
	for _, a := range mail.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, invalid(err)
		}
	}
	return msg, nil
}

// checkUnsubscribe refuses a one-click address that is not an absolute
// http(s) URL fit for a header: RFC 8058 wants an HTTPS URI (plain http
// serves the demo and tests), between angle brackets.
func checkUnsubscribe(raw string) error {
	if err := checkHeader("List-Unsubscribe", raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(raw, "<> ,") {
		return errors.New("List-Unsubscribe: want an absolute http(s) URL without spaces, commas or angle brackets")
	}
	return nil
}

// parseAddress parses one address, with an optional display name, for the
// header called name. Each header is one line: a CR or an LF in a value
// would start a header of the sender's choosing (a Bcc, say), so control
// characters are refused in the raw value and again in what ParseAddress
// decoded from RFC 2047 encoded words ("=?utf-8?q?a=0D=0ABcc:...?=").
func parseAddress(name, value string) (*netmail.Address, error) {
	if err := checkHeader(name, value); err != nil {
		return nil, err
	}
	a, err := netmail.ParseAddress(value)
	if err != nil {
		// net/mail's words quote the value: leave them out.
		return nil, fmt.Errorf("%s: not one email address", name)
	}
	if err := checkHeader(name+" display name", a.Name); err != nil {
		return nil, err
	}
	if err := checkHeader(name+" address", a.Address); err != nil {
		return nil, err
	}
	return a, nil
}

// checkHeader refuses a header value that is not valid UTF-8 or holds a
// control character (CR, LF, TAB, NUL, DEL, the C1 set) or a Unicode line
// or paragraph separator. It names the header and the character, never the
// value, which may be personal data.
func checkHeader(name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%s is not valid UTF-8", name)
	}
	for i, r := range value {
		if isControl(r) {
			return fmt.Errorf("%s holds the control character %U at byte %d", name, r, i)
		}
	}
	return nil
}

func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func hasControl(s string) bool { return strings.ContainsFunc(s, isControl) }

// senderDomain returns the domain of the From address, for Message-IDs.
// The address goes into MAIL FROM as it is, and not every server speaks
// SMTPUTF8 (RFC 6531): it must be ASCII, an internationalised domain in
// its punycode form.
func senderDomain(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", configError("from %q: no domain", addr)
	}
	for _, r := range addr {
		if r > unicode.MaxASCII {
			return "", configError("from %q: want an ASCII address (an internationalised domain in its xn-- form)", addr)
		}
	}
	d := addr[at+1:]
	for _, r := range d {
		if !(r == '-' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return "", configError("from %q: want a domain name after the @", addr)
		}
	}
	return d, nil
}

// invalid wraps the refusal of a message before any connection.
func invalid(err error) error {
	return &domain.Error{Code: domain.Invalid, Message: msgNotSent, Err: fmt.Errorf("smtp: %w", err)}
}
