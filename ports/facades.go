package ports

// The primary port is split by actor: one façade per audience over the
// same core (*Portal, built by NewPortal). A façade is a small value that
// shares the core's store, clock and mailer; get one from the accessor of
// the same name, e.g. portal.CitizenAccounts().Login(...). Each façade's
// use cases are in files named after it, one file per topic:
//
//	CitizenAccounts     the citizen account's lifecycle: citizen_accounts.go
//	                    (activation, password links, biller's information),
//	                    citizen_accounts_session.go (login, sessions, logout),
//	                    citizen_accounts_email.go (the email-change link)
//	Citizens            the citizen portal of a logged-in payer:
//	                    citizens_{home,invoices,payment,profile,messages,
//	                    documents,receipts,certificates,mydata}.go
//	BackOffice          the back office's sessions, board, invoices, accounts,
//	                    messages, import, yearly certificates:
//	                    backoffice_{session,board,invoices,accounts,messages,
//	                    import,certificates}.go
//	BackOfficePayments  the back office's payments, declared payments,
//	                    settlement reports, exports, refunds:
//	                    backoffice_payments{,_declared,_settlement,_export,
//	                    _refunds}.go
//	BackOfficeAdmin     the back office's staff administration, settings and
//	                    audit log: backoffice_admin_{staff,settings,audit}.go
//	BillingAPI          the billing software's API: api_{auth,invoices,
//	                    documents,status}.go
//	Operator            the operator's command line: operator.go (billers,
//	                    hosts, staff, PayFiP configuration),
//	                    operator_apikeys.go, operator_import.go,
//	                    operator_metrics.go (the metrics' backlog)
//	Jobs                background and machine-driven work: jobs_payments.go
//	                    (PayFiP notification, reconciliation, nightly
//	                    check), jobs_outbox.go (with
//	                    jobs_outbox_attachments.go), jobs_treasury.go
//
// The core keeps what every audience shares: Config, Now and the ids
// (portal.go), Ready and WatchMailSender (ready.go), and the unexported
// helpers that more than one façade uses, in files named for what they
// do: core_settle.go (settling or releasing a payment's invoices, double
// payments), core_events.go (a payment's timeline), core_audit.go (the
// audit log), core_lookups.go (BillerForHost, BillerByID, the citizen's
// account, loads shared by use cases), core_links.go (links in mails,
// SiteURL), core_documents.go, core_import.go (the import's plan and
// transaction), core_outbox.go (queueing mails), core_paging.go,
// core_errors.go. A helper used by one façade only stays in that façade's
// file.
//
// PayFiP's notification is in Jobs, not in a gateway façade of its own: it
// is driven by a machine, not a person, has no session, and settles a
// payment through the same code as Reconcile.

// core names the shared *Portal inside the façades, so that a use case's
// body reads the same on any façade (p.store, p.now(), p.audit(...)).
type core = Portal

// Citizens are the use cases of the citizen portal for a logged-in payer:
// home, invoices, payment, profile, messages, documents.
type Citizens struct{ *core }

// CitizenAccounts are the citizen account's lifecycle: activation,
// password links, login, sessions, the email-change link, and the
// biller's public information shown before login.
type CitizenAccounts struct{ *core }

// BackOffice are the back office's sessions, board, invoices, accounts,
// messages and file import.
type BackOffice struct{ *core }

// BackOfficePayments are the back office's payments review: online and
// declared payments, refunds, settlement reports and CSV exports.
type BackOfficePayments struct{ *core }

// BackOfficeAdmin is the back office's administration: settings, audit log
// and staff members.
type BackOfficeAdmin struct{ *core }

// BillingAPI are the use cases of the billing software's API.
type BillingAPI struct{ *core }

// Operator are the use cases of the operator's command line.
type Operator struct{ *core }

// Jobs are the background and machine-driven use cases.
type Jobs struct{ *core }

// Citizens returns the citizen portal's use cases.
func (p *Portal) Citizens() Citizens { return Citizens{p} }

// CitizenAccounts returns the citizen account's lifecycle.
func (p *Portal) CitizenAccounts() CitizenAccounts { return CitizenAccounts{p} }

// BackOffice returns the back office's sessions, board, invoices,
// accounts, messages and import.
func (p *Portal) BackOffice() BackOffice { return BackOffice{p} }

// BackOfficePayments returns the back office's payments review.
func (p *Portal) BackOfficePayments() BackOfficePayments { return BackOfficePayments{p} }

// BackOfficeAdmin returns the back office's administration.
func (p *Portal) BackOfficeAdmin() BackOfficeAdmin { return BackOfficeAdmin{p} }

// BillingAPI returns the billing software's API use cases.
func (p *Portal) BillingAPI() BillingAPI { return BillingAPI{p} }

// Operator returns the operator's command-line use cases.
func (p *Portal) Operator() Operator { return Operator{p} }

// Jobs returns the background and machine-driven use cases.
func (p *Portal) Jobs() Jobs { return Jobs{p} }
