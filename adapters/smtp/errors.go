package smtp

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/portail-factures/portail/domain"
)

// msgNotSent is what a citizen may read of any failure to send: the
// server's words are for the logs.
const msgNotSent = "Le message n'a pas pu être envoyé."

// Reply is the answer with which an SMTP server refused a command. Send
// keeps it in the chain of the *domain.Error it returns, for the logs and
// for a caller that wants the detail (errors.As).
type Reply struct {
	Code     int    // the basic reply code: 451, 535, 550…
	Enhanced string // the RFC 3463 status such as "5.1.1", or "" if the server gave none
	Text     string // the server's words, without the codes
	err      error  // the command and the reply as the client saw them
}

// Error returns the failed command and the whole reply.
func (r *Reply) Error() string { return "smtp: " + r.err.Error() }

// Unwrap returns the client's error, a *textproto.Error at its end.
func (r *Reply) Unwrap() error { return r.err }

// Temporary reports whether the reply is a 4xx, a transient failure.
func (r *Reply) Temporary() bool { return r.Code >= 400 && r.Code < 500 }

// Temporary reports whether err is a failure that may pass, so that
// sending the same message later may succeed: its code is Unavailable.
func Temporary(err error) bool {
	var e *domain.Error
	return errors.As(err, &e) && e.Code == domain.Unavailable
}

// Permanent reports whether sending the same message again is pointless:
// any non-nil error that is not Temporary. For an error of Send, that is a
// message refused before any connection, or a 5xx reply.
func Permanent(err error) bool { return err != nil && !Temporary(err) }

// classify turns what the session returned into the error of Send:
//
//   - a 5xx reply from the server, at any step (greeting, EHLO, STARTTLS,
//     AUTH, MAIL, RCPT, DATA) → Invalid, permanent. That includes 535, a
//     wrong password: retrying the same credentials fixes nothing and
//     gets the sender locked out by many servers; an operator must act.
//   - a 4xx reply → Unavailable, temporary.
//   - the context done or the Timeout reached → Unavailable, temporary.
//   - anything else: a refused or reset connection, a DNS failure, a TLS
//     handshake or certificate failure, a server that closes the line or
//     offers no STARTTLS or no AUTH → Unavailable, temporary. None of these
//     says anything about the message, and the outbox bounds its retries
//     by age.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		r := newReply(tp, err)
		code := domain.Unavailable
		if r.Code >= 500 && r.Code < 600 {
			code = domain.Invalid
		}
		return &domain.Error{Code: code, Message: msgNotSent, Err: r}
	}
	if ctx.Err() != nil {
		// The line was cut under the client: what it saw is a consequence,
		// the cause is the context's.
		return &domain.Error{Code: domain.Unavailable, Message: msgNotSent,
			Err: fmt.Errorf("%w (%v)", context.Cause(ctx), err)}
	}
	return &domain.Error{Code: domain.Unavailable, Message: msgNotSent, Err: fmt.Errorf("smtp: %w", err)}
}

// enhancedCode matches an RFC 3463 status at the start of a reply line.
var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// newReply reads the codes and the text of tp, a reply that err wraps.
func newReply(tp *textproto.Error, err error) *Reply {
	r := &Reply{Code: tp.Code, err: err}
	var text []string
	for i, line := range strings.Split(tp.Msg, "\n") {
		code := enhancedCode.FindString(line)
		if i == 0 {
			r.Enhanced = code
		}
		if t := strings.TrimSpace(line[len(code):]); t != "" {
			text = append(text, t)
		}
	}
	r.Text = strings.Join(text, " ")
	return r
}
