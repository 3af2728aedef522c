package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/dev"
	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/adapters/http/pdf"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/smtp"
	"github.com/portail-factures/portail/adapters/tipi"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// buildHandler wires the portal by hand and returns its HTTP handler.
//
// This is the one place where adapters meet the use cases: it chooses the
// store from m.Config.Database.URL (empty: the in-memory demo store), the
// payment gateway from m.Config.Payment.Mode, hands them to the use cases,
// starts the background jobs and mounts the HTTP handlers. Whatever must
// be released at exit is registered with m.onClose. ctx is cancelled on
// SIGINT/SIGTERM.
func (m *Main) buildHandler(ctx context.Context) (http.Handler, error) {
	opened, err := m.openStore(ctx)
	if err != nil {
		return nil, err
	}
	store := opened.Store
	clock := ports.SystemClock{}
	mailbox := memory.NewMailbox(clock, 0)
	mailer, err := m.buildMailer(opened.Demo, mailbox)
	if err != nil {
		return nil, err
	}

	gateway, simulator, err := m.buildGateway(clock)
	if err != nil {
		return nil, err
	}
	pcfg := m.portalConfig(mailer == ports.Mailer(mailbox))
	// PayFiP's limits (amounts, objet) depend on the protocol spoken.
	pcfg.PayFiPMode = gateway.PayFiPMode()
	deps := ports.Deps{
		Store: store, Sessions: opened.Sessions, Mailer: mailer, Gateway: gateway,
		Clock: clock, Logger: m.Logger, PDF: pdf.Writer{},
	}
	// The operators' metrics (metrics.go), when metrics.addr is set.
	if err := m.buildMetrics(opened, clock); err != nil {
		return nil, err
	}
	if m.metrics != nil {
		deps.Observer = m.metrics
	}
	portal, err := ports.NewPortal(deps, pcfg)
	if err != nil {
		return nil, err
	}
	m.portal = portal

	if opened.Demo {
		// The store starts with the manual's demo data (in memory, or
		// written into the database with demo=true).
		hasher := ports.PasswordHasher{Params: ports.DefaultArgon2, Random: ports.SystemRandom}
		if _, err := demo.Seed(ctx, store, hasher, clock.Now()); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		if err := demo.SeedHistory(ctx, store, hasher, clock.Now()); err != nil {
			return nil, fmt.Errorf("demo history: %w", err)
		}
		where := "in-memory store"
		if m.Config.Database.URL != "" {
			where = "database"
		}
		m.Logger.Info("demo mode: demo data in the "+where,
			"login", demo.Email, "password", demo.Password, "not_activated", demo.NewcomerEmail,
			"back_office", "/gestion/", "staff", demo.StaffEmail, "staff_password", demo.StaffPassword,
			"reader", demo.ReaderEmail, "reader_password", demo.ReaderPassword,
			"admin", demo.AdminEmail, "admin_password", demo.AdminPassword)
	}
	if opened.BillerID != uuid.Nil {
		pc := m.Config.Payment
		if err := portal.Operator().ApplyPaymentConfig(ctx, opened.BillerID, pc.Numcli, domain.Saisie(pc.Saisie)); err != nil {
			return nil, err
		}
	}

	// Notifications from the DGFiP can be lost (docs/payfip.md §4.2.3):
	// ask about unfinished attempts, and those still holding their
	// invoices, regularly.
	m.startJob(ctx, "reconcile payments", m.Config.Payment.ReconcileInterval, portal.Jobs().Reconcile)
	// PayFiP may notify a result during the night (docs/payfip.md §3.5):
	// ask once more, each night, about the attempts that ended unpaid.
	m.startNightlyPaymentCheck(ctx, portal)
	// Unpaid invoices past due date + the biller's delay go to treasury
	// once a day.
	m.startTreasury(ctx, portal)
	// Reminders before (and, if the biller wants, after) the due date.
	m.startReminders(ctx, portal)
	// One mail per payer for the invoices that arrived (import, API, back
	// office).
	m.startNotices(ctx, portal)
	// The personal data of accounts closed for longer than the biller's
	// retention period are erased, once a day.
	m.startRetention(ctx, portal)
	// The figures of the dashboard's charts.
	m.startBoard(ctx, portal)
	if mailer != ports.Mailer(mailbox) && m.Config.SMTP.Host != "" {
		m.startMailSender(ctx, portal, m.Config.Mail.Interval)
	}

	webCfg := web.Config{
		Portal: portal, BillerID: opened.BillerID, PublicURL: m.Config.PublicURL,
		Logger: m.Logger, Clock: clock, Limits: ports.DefaultRateLimits,
		PaymentPages: []string{gateway.PageURL()},
		Throttle:     opened.Throttle,
	}
	webCfg.Limits.APIPerKey = ports.Rate{Events: m.Config.HTTP.APIPerMinute, Per: time.Minute}
	webCfg.Limits.APIKeyFailures = ports.Rate{Events: m.Config.HTTP.APIKeyFailuresPerMinute, Per: time.Minute}
	webCfg.Limits.PaymentCallbacks = ports.Rate{Events: m.Config.HTTP.PaymentCallbacksPerMinute, Per: time.Minute}
	if h := m.Config.HTTP.ClientIPHeader; h != "" {
		// Behind the trusted proxy, its client address and its request id.
		webCfg.ClientIP = kit.ClientIPFromHeader(h)
		webCfg.TrustRequestID = true
	}
	if m.metrics != nil {
		webCfg.Requests = m.metrics
	}
	if opened.Demo {
		// Demo extras under /_dev/: the mailbox and the PayFiP simulator.
		webCfg.Dev = &dev.Config{Mails: devMails(mailbox)}
		if simulator != nil {
			webCfg.Dev.PayFiP = simulator
		}
	}
	return web.New(webCfg)
}

// devMails shows the demo mailbox on /_dev/mail.
func devMails(box *memory.Mailbox) func() []dev.Mail {
	return func() []dev.Mail {
		sent := box.Mails()
		out := make([]dev.Mail, len(sent))
		for i, m := range sent {
			out[i] = dev.Mail{Mail: m.Mail, ID: m.Seq, At: m.At}
		}
		return out
	}
}

// buildMailer returns the SMTP mailer when smtp.host is set, otherwise the
// demo's mailbox (shown at /_dev/mail). A portal with a database and no
// SMTP server keeps its mails in the outbox until one is configured.
func (m *Main) buildMailer(demoMode bool, mailbox *memory.Mailbox) (ports.Mailer, error) {
	sc := m.Config.SMTP
	if sc.Host != "" {
		mailer, err := smtp.New(smtp.Config{
			Host: sc.Host, Port: sc.Port, Username: sc.Username, Password: sc.Password,
			From: sc.From, TLS: sc.TLS, Timeout: sc.Timeout,
		})
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", operatorError(err))
		}
		m.Logger.Info("mails go through SMTP", "server", mailer.Addr())
		return mailer, nil
	}
	if !demoMode {
		m.Logger.Warn("no SMTP server (smtp.host): mails wait in the outbox until one is configured")
		return noMailer{}, nil
	}
	return mailbox, nil
}

// noMailer is the mailer of a portal with no SMTP server: the mails stay
// in the outbox, since no sender runs.
type noMailer struct{}

func (noMailer) Send(context.Context, ports.Mail) error {
	return domain.WrapUnavailable(errors.New("no SMTP server configured (smtp.host)"))
}

// buildGateway returns the payment gateway of the configured mode and, in
// simulator mode, the simulator to mount: the gateway then speaks the real
// web-service protocol to the portal's own /_dev/payfip/.
func (m *Main) buildGateway(clock ports.Clock) (*tipi.Gateway, *tipi.Simulator, error) {
	pc := m.Config.Payment
	cfg := tipi.Config{
		Mode: tipi.ModePayFiP, SOAPURL: pc.SOAPURL, PageURL: pc.PageURL, TipiURL: pc.TipiURL,
		PublicURL: m.Config.PublicURL, Timeout: pc.Timeout,
		URLSaisie: map[domain.Saisie]string{
			domain.SaisieTest: "T", domain.SaisieActivation: "X", domain.SaisieProduction: pc.TipiProductionLetter,
		},
	}
	var sim *tipi.Simulator
	switch pc.Mode {
	case PaymentTIPI:
		cfg.Mode = tipi.ModeTIPI
	case PaymentSimulator:
		sim = tipi.NewSimulator(tipi.SimulatorConfig{BasePath: tipi.DefaultSimulatorPath, Clock: clock, Logger: m.Logger})
		base := m.Config.PublicURL + tipi.DefaultSimulatorPath
		cfg.SOAPURL = base + "/tpa/services/securite"
		cfg.PageURL = base + "/tpa/paiementws.web"
		cfg.TipiURL = base + "/tpa/paiement.web"
	}
	g, err := tipi.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("payment: %w", err)
	}
	return g, sim, nil
}
