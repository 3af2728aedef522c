package domain

import (
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
)

// PayFiPMode is the protocol the portal speaks with the DGFiP: the PayFiP
// web service (SOAP) or the legacy TIPI URL mode. It is the instance's
// configuration (payment.mode), not a stored setting; the zero value is
// the web service.
type PayFiPMode string

// The two protocols (docs/payfip.md §2 and §3).
const (
	PayFiPWebService PayFiPMode = "ws"
	PayFiPURL        PayFiPMode = "url"
)

// URL reports whether m is the legacy URL mode.
func (m PayFiPMode) URL() bool { return m == PayFiPURL }

// Label names the mode for the billing service's staff.
func (m PayFiPMode) Label() string {
	if m.URL() {
		return "TIPI, mode URL"
	}
	return "PayFiP, service web"
}

// What PayFiP accepts in one payment request (docs/payfip.md §3.3,
// "Recommendations", and §4.1.8, §4.2.7). Checked before anything is sent,
// so that a request never meets a refusal at the DGFiP.
var (
	// PayFiPMinAmount is the least amount of one payment, in both modes.
	PayFiPMinAmount = decimal.RequireFromString("1.00")
	// PayFiPMaxAmountURL is the most in the legacy URL mode: below
	// 10 000 €.
	PayFiPMaxAmountURL = decimal.RequireFromString("9999.99")
	// PayFiPMaxAmountWS is the most through the web service: 99 999.99 €
	// satisfies every integration read (100 000 € for one, 99 999.99 € for
	// another).
	PayFiPMaxAmountWS = decimal.RequireFromString("99999.99")
)

// Lengths PayFiP accepts (docs/payfip.md §3.3).
const (
	// PayFiPObjetMaxWS and PayFiPObjetMaxURL bound the label (objet): 100
	// characters through the web service, 99 in the URL mode, to be safe.
	PayFiPObjetMaxWS  = 100
	PayFiPObjetMaxURL = 99
	// PayFiPEmailMin and PayFiPEmailMax bound the payer's address (mel),
	// counted in ASCII characters once converted.
	PayFiPEmailMin = 6
	PayFiPEmailMax = 80
)

// PayFiPAmountLimits returns the least and the most one payment may be in
// mode m, whatever the biller's own bounds.
func PayFiPAmountLimits(m PayFiPMode) (min, max decimal.Decimal) {
	if m.URL() {
		return PayFiPMinAmount, PayFiPMaxAmountURL
	}
	return PayFiPMinAmount, PayFiPMaxAmountWS
}

// PayFiPObjetMax returns the longest label PayFiP takes in mode m.
func PayFiPObjetMax(m PayFiPMode) int {
	if m.URL() {
		return PayFiPObjetMaxURL
	}
	return PayFiPObjetMaxWS
}

// AmountBounds returns the bounds of one payment to b: its own, within
// PayFiP's limits for its mode. A bound stored before those limits were
// checked (a maximum of 99 999.99 € in URL mode) never lets through what
// PayFiP refuses.
func (b Biller) AmountBounds() (min, max decimal.Decimal) {
	lo, hi := PayFiPAmountLimits(b.PayFiPMode)
	min, max = b.MinAmount, b.MaxAmount
	if min.LessThan(lo) {
		min = lo
	}
	if max.GreaterThan(hi) {
		max = hi
	}
	return min, max
}

// checkAmountBounds checks the biller's bounds against PayFiP's limits for
// its mode.
func (b Biller) checkAmountBounds() error {
	lo, hi := PayFiPAmountLimits(b.PayFiPMode)
	switch {
	case CheckAmount(b.MinAmount) != nil && b.MinAmount.IsPositive():
		return FieldError("min_amount", "Le montant minimum d'un paiement doit être un montant en euros avec deux décimales au plus.")
	case CheckAmount(b.MaxAmount) != nil && b.MaxAmount.IsPositive():
		return FieldError("max_amount", "Le montant maximum d'un paiement doit être un montant en euros avec deux décimales au plus.")
	case b.MinAmount.LessThan(lo):
		return FieldError("min_amount", "Le montant minimum d'un paiement doit être d'au moins "+FormatEuros(lo)+" : PayFiP refuse les paiements plus petits.")
	case b.MaxAmount.GreaterThan(hi):
		return FieldError("max_amount", "Le montant maximum d'un paiement ne peut pas dépasser "+FormatEuros(hi)+", la limite de PayFiP ("+b.PayFiPMode.Label()+").")
	case b.MinAmount.GreaterThan(b.MaxAmount):
		return FieldError("max_amount", "Le montant maximum d'un paiement doit être au moins égal au montant minimum.")
	}
	return nil
}

// AmountPayable returns nil unless the invoice's amount alone keeps it
// from being paid online: above the biller's maximum, or below its
// minimum when the biller takes one invoice at a time (otherwise it can
// be paid together with others).
func (inv Invoice) AmountPayable(b Biller) error {
	min, max := b.AmountBounds()
	switch {
	case inv.Amount.GreaterThan(max):
		return Errorf(Conflict, "La facture %s ne peut pas être réglée en ligne : son montant (%s) dépasse le maximum de %s d'un paiement en ligne. Contactez le service.",
			inv.Number, FormatEuros(inv.Amount), FormatEuros(max))
	case inv.Amount.LessThan(min) && !b.MultiplePayments:
		return Errorf(Conflict, "La facture %s ne peut pas être réglée en ligne : son montant (%s) est inférieur au minimum de %s d'un paiement en ligne. Contactez le service.",
			inv.Number, FormatEuros(inv.Amount), FormatEuros(min))
	}
	return nil
}

// PayFiPEmail returns the payer's address as PayFiP's mel: ASCII only,
// the domain in punycode (IDNA: "démoville.fr" gives
// "xn--dmoville-b1a.fr"), 6 to 80 characters with one "@" (docs/payfip.md
// §3.3, §4.2.7). An address whose part before the "@" is not ASCII cannot
// be converted: the French message asks the citizen to change it in « Mes
// informations ».
func PayFiPEmail(addr string) (string, error) {
	mel, problem := payfipEmail(addr)
	switch problem {
	case "":
		return mel, nil
	case "local":
		return "", Errorf(Invalid, "Votre adresse de messagerie (%s) contient des lettres accentuées ou des caractères spéciaux avant le « @ » : le service de paiement de la DGFiP ne l'accepte pas. Pour payer en ligne, changez d'adresse dans « Mes informations ».", addr)
	case "long":
		return "", Errorf(Invalid, "Votre adresse de messagerie (%s) dépasse 80 caractères une fois convertie pour le service de paiement de la DGFiP, qui ne l'accepte pas. Pour payer en ligne, changez d'adresse dans « Mes informations ».", addr)
	}
	return "", Errorf(Invalid, "Votre adresse de messagerie (%s) n'est pas acceptée par le service de paiement de la DGFiP. Pour payer en ligne, changez d'adresse dans « Mes informations ».", addr)
}

// CheckPayFiPEmail returns a form error unless addr can be sent to PayFiP,
// for the citizen who chooses a new address: such an address could not
// be used to pay online.
func CheckPayFiPEmail(addr string) error {
	switch _, problem := payfipEmail(addr); problem {
	case "":
		return nil
	case "local":
		return FieldError("email", "Cette adresse contient des lettres accentuées ou des caractères spéciaux avant le « @ » : le service de paiement de la DGFiP ne l'accepte pas, et vous ne pourriez pas payer vos factures en ligne. Choisissez une adresse sans accent avant le « @ ».")
	case "long":
		return FieldError("email", "Cette adresse dépasse 80 caractères une fois convertie pour le service de paiement de la DGFiP : vous ne pourriez pas payer vos factures en ligne. Choisissez une adresse plus courte.")
	}
	return FieldError("email", "Veuillez saisir une adresse de messagerie valide, par exemple nom@exemple.fr.")
}

// payfipEmail converts addr and says what is wrong with it: "" (nothing),
// "local" (not ASCII before the "@"), "long" (more than 80 characters once
// converted) or "invalid".
func payfipEmail(addr string) (string, string) {
	if len(addr) > 320 {
		return "", "invalid"
	}
	local, host, ok := strings.Cut(addr, "@")
	if !ok || local == "" || host == "" || strings.Contains(host, "@") {
		return "", "invalid"
	}
	if !isASCII(local) {
		return "", "local"
	}
	labels := strings.Split(strings.ToLower(host), ".")
	for i, l := range labels {
		if isASCII(l) {
			continue
		}
		// Letters and digits only: without Unicode normalisation, a
		// decomposed accent (e + U+0301) would be encoded as another
		// domain than the one the citizen reads, so it is refused.
		for _, r := range l {
			if r >= 0x80 && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
				return "", "invalid"
			}
		}
		enc, ok := punycode(l)
		if !ok {
			return "", "invalid"
		}
		labels[i] = "xn--" + enc
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "", "invalid"
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", "invalid"
			}
		}
	}
	mel := local + "@" + strings.Join(labels, ".")
	if len(mel) > PayFiPEmailMax {
		return "", "long"
	}
	if len(mel) < PayFiPEmailMin || CheckEmail(mel) != nil {
		return "", "invalid"
	}
	return mel, ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Parameters of punycode for IDNA (RFC 3492 §5).
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// punycode encodes one label by RFC 3492's algorithm (§6.3), without the
// "xn--" prefix. Labels are short (a host name holds at most 253
// characters), so the integer overflow checks of the RFC cannot trigger;
// the length guard keeps it so.
func punycode(label string) (string, bool) {
	runes := []rune(label)
	if len(runes) == 0 || len(runes) > 63 {
		return "", false
	}
	out := make([]byte, 0, 2*len(runes))
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	basic := len(out)
	if basic > 0 {
		out = append(out, '-')
	}
	n, delta, bias, h := pcInitialN, 0, pcInitialBias, basic
	for h < len(runes) {
		m := int(^uint32(0) >> 1)
		for _, r := range runes {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range runes {
			c := int(r)
			if c < n {
				delta++
			}
			if c != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := k - bias
				if t < pcTMin {
					t = pcTMin
				} else if t > pcTMax {
					t = pcTMax
				}
				if q < t {
					break
				}
				out = append(out, punycodeDigit(t+(q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out = append(out, punycodeDigit(q))
			bias = punycodeAdapt(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out), true
}

func punycodeDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// punycodeAdapt is RFC 3492's bias adaptation (§6.1).
func punycodeAdapt(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
