package tipi

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// maxCentsDigits bounds the montant read from PayFiP: no public revenue
// paid online comes near a thousand billion euros, and the bound keeps a
// forged value from growing without limit.
const maxCentsDigits = 14

// toCents writes an amount in euros as PayFiP's montant: whole cents,
// without separator (docs/payfip.md §2.1, §3.3). It shifts the decimal
// itself, never a float, so 0.29 gives 29 and not 28 (§4.2.6). It refuses
// amounts that are not positive or that have more than two decimals.
func toCents(d decimal.Decimal) (string, error) {
	if err := domain.CheckAmount(d); err != nil {
		return "", err
	}
	c := d.Shift(2)
	if !c.IsInteger() { // cannot happen after CheckAmount; kept as a guard
		return "", domain.Errorf(domain.Invalid, "Le montant %s a plus de deux décimales.", d.String())
	}
	return c.StringFixed(0), nil
}

// toPayFiPCents is toCents for an amount sent to PayFiP: it also refuses
// an amount outside PayFiP's limits in mode (docs/payfip.md §3.3), so
// that such a request never reaches the DGFiP.
func toPayFiPCents(d decimal.Decimal, mode domain.PayFiPMode) (string, error) {
	c, err := toCents(d)
	if err != nil {
		return "", err
	}
	min, max := domain.PayFiPAmountLimits(mode)
	if d.LessThan(min) || d.GreaterThan(max) {
		return "", domain.Errorf(domain.Invalid, "Le montant d'un paiement en ligne doit être compris entre %s et %s.", domain.FormatEuros(min), domain.FormatEuros(max))
	}
	return c, nil
}

// fromCents reads PayFiP's montant, whole cents written with digits only,
// as an amount in euros. Zero is refused: the domain takes a zero amount
// for "no amount given" and would skip its cross-check (§4.2.2).
func fromCents(s string) (decimal.Decimal, error) {
	if s == "" || len(s) > maxCentsDigits {
		return decimal.Decimal{}, fmt.Errorf("montant %q: want 1 to %d digits", s, maxCentsDigits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return decimal.Decimal{}, fmt.Errorf("montant %q: want digits only", s)
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("montant %q: %w", s, err)
	}
	if !d.IsPositive() {
		return decimal.Decimal{}, fmt.Errorf("montant %q: want more than zero", s)
	}
	return d.Shift(-2), nil
}
