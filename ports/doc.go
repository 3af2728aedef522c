// Package ports is the boundary of the hexagon. It declares the driven
// ports, the interfaces the core needs from the outside world ([Store],
// [SessionStore], [Mailer], [PaymentGateway], [Clock] and a random
// source), and the primary port, the concrete [Portal], which holds every
// use case of the user manual.
//
// A use case is thin: it loads what it needs from the store, lets package
// domain decide, saves the result in one transaction and notifies. Any
// rule about an invoice, an account or a payment lives in domain, never
// here and never in an adapter.
//
// Adapters (adapters/memory, adapters/postgres, adapters/http,
// adapters/smtp, adapters/tipi) implement or drive these ports; package
// portstest holds the contract suite every Store must pass and recording
// fakes for testers.
package ports
