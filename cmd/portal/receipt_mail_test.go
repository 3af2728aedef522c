package main

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/pdf"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/adapters/smtp"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestTheReceiptLeavesOverSMTPMadeAtDeliveryOnPostgreSQL: on PostgreSQL,
// the settled payment's outbox row names its receipt and holds no file;
// the sender makes the PDF (the real layout) and the SMTP server gets the
// confirmation with it attached, carrying the code the citizen's page
// shows.
func TestTheReceiptLeavesOverSMTPMadeAtDeliveryOnPostgreSQL(t *testing.T) {
	db := pgtest.NewDB(t)
	sink := newMailSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	p, _ := strconv.Atoi(port)
	mailer, err := smtp.New(smtp.Config{Host: host, Port: p, TLS: smtp.TLSNone, From: "Commune de Démoville <factures@demoville.fr>", Timeout: 5 * time.Second})
	require.NoError(t, err)
	clock := portstest.NewFixedClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	gateway := &portstest.FakeGateway{}
	portal, err := ports.NewPortal(ports.Deps{Store: db, Sessions: db, Mailer: mailer, Gateway: gateway,
		Clock: clock, Random: portstest.NewSeqRandom(5), PDF: pdf.Writer{}, Logger: discard()},
		ports.Config{PublicURL: "https://factures.demoville.fr", Argon2: fastArgon2})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = demo.Seed(ctx, db, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(6)}, clock.Now())
	require.NoError(t, err)
	secret, _, err := portal.CitizenAccounts().Login(ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	_, c, err := portal.CitizenAccounts().Authenticate(ctx, secret)
	require.NoError(t, err)

	sel, err := portal.Citizens().PayableInvoices(ctx, c)
	require.NoError(t, err)
	require.NotEmpty(t, sel.Invoices)
	inv := sel.Invoices[0]
	pay, _, err := portal.Citizens().StartPayment(ctx, c, []uuid.UUID{inv.ID})
	require.NoError(t, err)
	gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)
	clock.Advance(time.Minute)
	_, err = portal.Jobs().HandleNotification(ctx, url.Values{"idop": {pay.OperationID}})
	require.NoError(t, err)

	// Claimed with no lease, it stays due for the sender.
	queued, err := db.ClaimMails(ctx, clock.Now(), 0, 10)
	require.NoError(t, err)
	require.Len(t, queued, 1)
	assert.Empty(t, queued[0].Mail.Attachments, "no file in the payment's transaction")
	assert.Equal(t, []ports.AttachmentRef{{Kind: ports.AttachReceipt, ID: pay.ID}}, queued[0].Attach)

	n, err := portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	var raw []byte
	select {
	case raw = <-sink.got:
	case <-time.After(10 * time.Second):
		t.Fatal("the confirmation did not reach the SMTP server")
	}
	file, name := pdfPartOf(t, raw)
	assert.Regexp(t, `^recu-[A-Z0-9]+\.pdf$`, name)
	require.True(t, strings.HasPrefix(string(file), "%PDF-"), "a PDF")

	shown, err := portal.Citizens().InvoiceReceipt(ctx, c, inv.ID)
	require.NoError(t, err)
	require.NotEmpty(t, shown.Code)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not found: install poppler-utils")
	}
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, file, 0o600))
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(out)), " ")
	assert.Contains(t, text, "Code de vérification : "+shown.Code, "the code the page shows, issued once")
	assert.Contains(t, text, inv.Number)
}

// pdfPartOf returns the application/pdf part of a raw mail and its file
// name.
func pdfPartOf(t *testing.T, raw []byte) ([]byte, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	require.NoError(t, err)
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/mixed", media)
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			t.Fatal("no PDF attached")
		}
		require.NoError(t, err)
		if ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct != "application/pdf" {
			continue
		}
		body, err := io.ReadAll(part)
		require.NoError(t, err)
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
			require.NoError(t, err)
		}
		return body, part.FileName()
	}
}
