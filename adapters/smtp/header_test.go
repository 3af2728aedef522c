package smtp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portail-factures/portail/adapters/smtp"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestNoHeaderCanBeInjected(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	for name, edit := range map[string]func(*ports.Mail){
		"CRLF in the subject":             func(m *ports.Mail) { m.Subject = "Facture\r\nBcc: victim@evil.test" },
		"LF alone in the subject":         func(m *ports.Mail) { m.Subject = "Facture\nBcc: victim@evil.test" },
		"CR alone in the subject":         func(m *ports.Mail) { m.Subject = "Facture\rBcc: victim@evil.test" },
		"NUL in the subject":              func(m *ports.Mail) { m.Subject = "Facture\x00" },
		"a tab in the subject":            func(m *ports.Mail) { m.Subject = "Facture\tn°1" },
		"NEL in the subject":              func(m *ports.Mail) { m.Subject = "Facture\u0085Bcc: victim@evil.test" },
		"a line separator in the subject": func(m *ports.Mail) { m.Subject = "Facture\u2028Bcc: victim@evil.test" },
		"invalid UTF-8 in the subject":    func(m *ports.Mail) { m.Subject = "Facture \xff" },
		"CRLF after the address":          func(m *ports.Mail) { m.To = "jeanne@example.org\r\nBcc: victim@evil.test" },
		"CRLF in the recipient's name":    func(m *ports.Mail) { m.To = "Jeanne\r\nBcc: victim@evil.test <jeanne@example.org>" },
		"LF in a quoted name":             func(m *ports.Mail) { m.To = "\"Jeanne\nBcc: victim@evil.test\" <jeanne@example.org>" },
		"an encoded CRLF in the name":     func(m *ports.Mail) { m.To = "=?utf-8?q?Jeanne=0D=0ABcc:_victim@evil.test?= <jeanne@example.org>" },
		"two recipients":                  func(m *ports.Mail) { m.To = "jeanne@example.org, victim@evil.test" },
		"no recipient":                    func(m *ports.Mail) { m.To = "" },
		"not an address":                  func(m *ports.Mail) { m.To = "jeanne" },
		"CRLF in Reply-To":                func(m *ports.Mail) { m.ReplyTo = "eaux@demoville.fr\r\nBcc: victim@evil.test" },
		"CRLF in the name of Reply-To":    func(m *ports.Mail) { m.ReplyTo = "Eaux\r\nBcc: victim@evil.test <eaux@demoville.fr>" },
		"an encoded LF in Reply-To's name": func(m *ports.Mail) {
			m.ReplyTo = "=?utf-8?b?RWF1eApCY2M6IHZpY3RpbUBldmlsLnRlc3Q=?= <eaux@demoville.fr>"
		},
		"a control character in the domain": func(m *ports.Mail) { m.To = "jeanne@exam\x7fple.org" },
		"CRLF in the unsubscribe address": func(m *ports.Mail) {
			m.Unsubscribe = "https://factures.demoville.fr/desabonnement/x\r\nBcc: victim@evil.test"
		},
		"an unsubscribe address with a bracket": func(m *ports.Mail) {
			m.Unsubscribe = "https://factures.demoville.fr/x>, <mailto:victim@evil.test"
		},
		"an unsubscribe address that is not http": func(m *ports.Mail) { m.Unsubscribe = "mailto:victim@evil.test" },
		"a relative unsubscribe address":          func(m *ports.Mail) { m.Unsubscribe = "/desabonnement/evil.test" },
		"CRLF in an attachment's name": func(m *ports.Mail) {
			m.Attachments = []ports.Attachment{{Name: "recu.pdf\r\nBcc: victim@evil.test", ContentType: "application/pdf"}}
		},
		"a quote in an attachment's name": func(m *ports.Mail) {
			m.Attachments = []ports.Attachment{{Name: "recu\".pdf; evil.test", ContentType: "application/pdf"}}
		},
		"a path as an attachment's name": func(m *ports.Mail) {
			m.Attachments = []ports.Attachment{{Name: "../evil.test/recu.pdf", ContentType: "application/pdf"}}
		},
		"a bad attachment content type": func(m *ports.Mail) {
			m.Attachments = []ports.Attachment{{Name: "recu.pdf", ContentType: "application/pdf\r\nBcc: victim@evil.test"}}
		},
	} {
		mail := demoMail
		edit(&mail)
		err := m.Send(context.Background(), mail)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%s: %v", name, err)
		assert.True(t, smtp.Permanent(err), name)
		assert.NotContains(t, err.Error(), "evil.test", "%s: the detail names the header, not the value", name)
	}
	assert.Zero(t, s.accepted.Load(), "connections: every refusal comes before dialing")
	assert.Empty(t, s.received())
}
