package ports

// The primary port is split by actor: one façade per audience over the
// same core (*Portal, built by NewPortal). A façade is a small value that
// shares the core's store, clock and mailer; get one from the accessor of
// the same name, e.g. portal.Citizens().Login(...).
//
//	Citizens            the citizen portal: account.go, profile.go, invoice.go,
//	                    payment.go, message.go, document.go
//	BackOffice          the back office's sessions, board, invoices, accounts,
//	                    messages, import: staff.go, backoffice_{invoices,accounts,
//	                    messages}.go, import_backoffice.go
//	BackOfficePayments  the back office's payments, declared payments, refunds,
//	                    exports: backoffice_payments*.go, backoffice_refunds.go
//	BackOfficeAdmin     the back office's settings, audit log and staff
//	                    administration: staff_admin.go, settings.go, audit_log.go
//	BillingAPI          the billing software's API: api.go, api_status.go,
//	                    apikey.go (AuthenticateAPIKey), document.go
//	Operator            the operator's command line: operator.go (billers,
//	                    hosts, staff), apikey.go, import.go, settings.go
//	Jobs                background and machine-driven work: payment.go (PayFiP
//	                    notification, reconciliation, nightly check), outbox.go,
//	                    treasury.go, invoice.go (TransferToTreasury)
//
// The core keeps what every audience shares: Config, Now, SiteURL,
// BillerForHost and BillerByID (staff.go), Ready and WatchMailSender
// (ready.go), and the unexported helpers.
//
// PayFiP's notification is in Jobs, not in a gateway façade of its own: it
// is driven by a machine, not a person, has no session, and settles a
// payment through the same code as Reconcile.

// core names the shared *Portal inside the façades, so that a use case's
// body reads the same on any façade (p.store, p.now(), p.audit(...)).
type core = Portal

// Citizens are the use cases of the citizen portal.
type Citizens struct{ *core }

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
