package tipi

import (
	"strings"
	"unicode"

	"github.com/portail-factures/portail/domain"
)

// maxObjet is the longest label PayFiP's web service takes; the URL
// mode takes one less (docs/payfip.md §3.3, objetFor).
const maxObjet = domain.PayFiPObjetMaxWS

// foldAccents spells the letters of French and its neighbours without
// their accents. A small table rather than a Unicode normalisation
// library: the labels are invoice numbers and service names.
var foldAccents = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ä': "A", 'Å': "A", 'Æ': "AE",
	'Ç': "C", 'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E",
	'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I", 'Ñ': "N",
	'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O", 'Ö': "O", 'Ø': "O", 'Œ': "OE",
	'Ù': "U", 'Ú': "U", 'Û': "U", 'Ü': "U", 'Ý': "Y", 'Ÿ': "Y",
	'°': "o", 'º': "o", 'ª': "a", // "n°", "1er", "1ª"
}

// objetFor is the label sent in mode: normalizeObjet's, cut to what the
// mode takes (100 characters through the web service, 99 in the URL
// mode), with no space left at the end.
func objetFor(s string, mode domain.PayFiPMode) string {
	out := normalizeObjet(s)
	if max := domain.PayFiPObjetMax(mode); len(out) > max {
		out = strings.TrimRight(out[:max], " ")
	}
	return out
}

// normalizeObjet reduces a label to what PayFiP accepts in objet: ASCII
// letters, digits and single spaces, at most 100 characters
// (docs/payfip.md §3.3, §4.2.7). Accents are stripped; apostrophes, hyphens, slashes,
// underscores and white space become spaces so that words stay apart
// ("F-2024/001" gives "F 2024 001"); anything else is dropped. The
// service refused at least "/" (HOR), and old TIPI refused anything
// outside this alphabet (EO).
func normalizeObjet(s string) string {
	var b strings.Builder
	space := true // drops leading spaces and collapses runs
	put := func(t string) {
		b.WriteString(t)
		space = false
	}
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			put(string(r))
		case foldAccents[r] != "":
			put(foldAccents[r])
		case r == '\'' || r == '’' || r == '-' || r == '/' || r == '_' || unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
		if b.Len() > maxObjet {
			break
		}
	}
	out := b.String()
	if len(out) > maxObjet {
		out = out[:maxObjet]
	}
	return strings.TrimRight(out, " ")
}
