package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// TestClassify is the table of ARCHITECTURE's "SMTP replies → codes" for
// this adapter, on the errors the client libraries return.
func TestClassify(t *testing.T) {
	reply := func(code int, msg string) error {
		return fmt.Errorf("RCPT TO: %w", &textproto.Error{Code: code, Msg: msg})
	}
	for _, tc := range []struct {
		name string
		err  error
		want domain.Code
	}{
		{"421 service closing", reply(421, "4.3.2 shutting down"), domain.Unavailable},
		{"450 mailbox busy", reply(450, "4.2.1 try later"), domain.Unavailable},
		{"451 local error", reply(451, "4.3.0 try again"), domain.Unavailable},
		{"452 storage", reply(452, "4.2.2 over quota"), domain.Unavailable},
		{"454 temporary AUTH failure", fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 454, Msg: "4.7.0 later"}), domain.Unavailable},
		{"535 wrong credentials", fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "5.7.8 bad"}), domain.Invalid},
		{"550 no such user", reply(550, "5.1.1 unknown"), domain.Invalid},
		{"551 not local", reply(551, "5.1.6 moved"), domain.Invalid},
		{"552 too big", reply(552, "5.3.4 too big"), domain.Invalid},
		{"553 bad address", reply(553, "5.1.3 syntax"), domain.Invalid},
		{"554 rejected", reply(554, "5.7.1 spam"), domain.Invalid},
		{"554 greeting", &textproto.Error{Code: 554, Msg: "no service"}, domain.Invalid},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, domain.Unavailable},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, domain.Unavailable},
		{"DNS failure", &net.DNSError{Err: "no such host", Name: "mail.demoville.fr", IsNotFound: true}, domain.Unavailable},
		{"unknown certificate authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, domain.Unavailable},
		{"certificate for another host", x509.HostnameError{Host: "mail.demoville.fr", Certificate: &x509.Certificate{}}, domain.Unavailable},
		{"TLS alert", tls.AlertError(40), domain.Unavailable},
		{"server hung up", io.EOF, domain.Unavailable},
		{"no STARTTLS", errors.New(`STARTTLS mode set to: "TLSMandatory", but target host does not support STARTTLS`), domain.Unavailable},
	} {
		err := classify(context.Background(), tc.err)
		assert.Equal(t, tc.want, domain.ErrorCode(err), tc.name)
		assert.Equal(t, tc.want == domain.Unavailable, Temporary(err), tc.name)
		assert.Equal(t, tc.want == domain.Invalid, Permanent(err), tc.name)
		assert.ErrorIs(t, err, tc.err, "%s: the cause stays in the chain", tc.name)
	}
}

func TestClassifyPutsTheContextFirst(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := classify(ctx, &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed})
	assert.True(t, Temporary(err))
	assert.ErrorIs(t, err, context.Canceled)
	assert.NoError(t, classify(ctx, nil), "delivered is delivered, even if the context ends after")
}

func TestReplyReadsTheCodesAndTheText(t *testing.T) {
	for _, tc := range []struct{ msg, enhanced, text string }{
		{"5.7.8 Authentication credentials invalid", "5.7.8", "Authentication credentials invalid"},
		{"mailbox unavailable", "", "mailbox unavailable"},
		{"4.2.2 Mailbox full\n4.2.2 try again later", "4.2.2", "Mailbox full try again later"},
		{"5.1.10 Recipient address has null MX", "5.1.10", "Recipient address has null MX"},
	} {
		err := classify(context.Background(), &textproto.Error{Code: 550, Msg: tc.msg})
		var r *Reply
		require.ErrorAs(t, err, &r)
		assert.Equal(t, 550, r.Code)
		assert.Equal(t, tc.enhanced, r.Enhanced, tc.msg)
		assert.Equal(t, tc.text, r.Text, tc.msg)
	}
}
