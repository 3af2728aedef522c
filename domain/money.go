package domain

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Money is always a decimal.Decimal in euros. These helpers hold the rules
// every amount obeys: positive, and at most two decimals (cents).

// ParseAmount reads an amount in euros written with a point or a French
// comma ("243.11", "243,11", "1 234,50"). It refuses more than two
// decimals, signs, exponents and anything that is not a number.
func ParseAmount(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "€")
	t = strings.TrimSpace(t)
	t = amountSpaces.Replace(t)
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	bad := func() error { return Errorf(Invalid, "Montant « %s » invalide : écrivez par exemple 243,11.", s) }
	if t == "" {
		return decimal.Decimal{}, bad()
	}
	dot := false
	// n and scale are the amount's digits and decimals while they fit an
	// int64: decimal.New then spares the parsing of a big number.
	var n int64
	scale, count := 0, 0
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
			n = n*10 + int64(r-'0')
			count++
			if dot {
				scale++
			}
		case r == '.' && !dot && i > 0 && i < len(t)-1:
			dot = true
		default:
			return decimal.Decimal{}, bad()
		}
	}
	var d decimal.Decimal
	if count <= 18 {
		d = decimal.New(n, int32(-scale))
	} else {
		var err error
		if d, err = decimal.NewFromString(t); err != nil {
			return decimal.Decimal{}, bad()
		}
	}
	if err := CheckAmount(d); err != nil {
		return decimal.Decimal{}, err
	}
	return d, nil
}

// amountSpaces removes the spaces that group thousands ("1 234,50").
var amountSpaces = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

// MaxAmount is the largest amount the portal keeps (the stores hold 12
// digits, two of them decimals).
var MaxAmount = decimal.RequireFromString("9999999999.99")

// CheckAmount returns an Invalid error unless d is positive with at most
// two decimals, and at most MaxAmount.
func CheckAmount(d decimal.Decimal) error {
	if !d.IsPositive() {
		return Errorf(Invalid, "Le montant doit être supérieur à zéro.")
	}
	if d.GreaterThan(MaxAmount) {
		return Errorf(Invalid, "Le montant %s est trop élevé.", d.String())
	}
	if !d.Equal(d.Round(2)) {
		return Errorf(Invalid, "Le montant %s a plus de deux décimales.", d.String())
	}
	return nil
}

// Sum adds amounts exactly.
func Sum(amounts ...decimal.Decimal) decimal.Decimal {
	total := decimal.Zero
	for _, a := range amounts {
		total = total.Add(a)
	}
	return total
}

// FormatEuros writes an amount the French way: "1 234,50 €", with a
// narrow no-break space between thousands and a no-break space before €.
func FormatEuros(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	out := b.String() + "," + frac + "\u00a0€"
	if neg {
		out = "-" + out
	}
	return out
}
