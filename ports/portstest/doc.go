// Package portstest holds what testers of the portal need: the contract
// suites every implementation of a driven port must pass ([TestStore],
// [TestSessionStore]), builders of valid records, and recording fakes
// that run the core without infrastructure ([Mailbox], [FixedClock],
// [FakeGateway], [SeqRandom]).
//
// A store implementation runs the suite from its own tests:
//
//	func TestStore(t *testing.T) {
//		portstest.TestStore(t, func(t *testing.T) ports.Store { return memory.New() })
//	}
//
// A use-case test wires the core with the fakes and asserts on effects:
//
//	clock := portstest.NewFixedClock(portstest.Epoch)
//	mail := &portstest.Mailbox{}
//	gateway := &portstest.FakeGateway{}
//	store := memory.New()
//	h := portstest.MustSeed(t, store, hash, 3) // a biller, a payer, its account, 3 invoices
//	…
//	last, _ := mail.Last()
//
// The builders (NewBiller, NewPayer…) return valid records with fresh ids
// dated from [Epoch]; the MustSave helpers save them or fail the test.
// [AssertSame] and [Diff] compare records as a store gives them back:
// decimals by value, instants with time.Time.Equal.
package portstest
