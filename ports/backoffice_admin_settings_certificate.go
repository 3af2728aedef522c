package ports

import (
	"strings"

	"github.com/portail-factures/portail/domain"
)

// The « Attestation annuelle » block of the settings (issue 15, items 5
// and 6).

// cleanCertificate trims what the form typed.
func cleanCertificate(s domain.CertificateSettings) domain.CertificateSettings {
	s.Title = strings.TrimSpace(s.Title)
	s.LegalText = cleanText(s.LegalText)
	s.ObjectContains = strings.TrimSpace(s.ObjectContains)
	return s
}

// certificateChanges lists in French, for the audit log, what differs
// between two certificate settings.
func certificateChanges(old, c domain.CertificateSettings) []string {
	var out []string
	if old.Offered != c.Offered {
		out = append(out, "attestation annuelle : "+proposed(old.Offered)+" → "+proposed(c.Offered))
	}
	if old.Title != c.Title {
		out = append(out, "titre de l'attestation : « "+old.Title+" » → « "+c.Title+" »")
	}
	if old.LegalText != c.LegalText {
		if c.LegalText == "" {
			out = append(out, "mention légale de l'attestation : texte supprimé")
		} else {
			out = append(out, "mention légale de l'attestation : texte modifié")
		}
	}
	if old.ObjectContains != c.ObjectContains {
		out = append(out, "factures couvertes par l'attestation : "+covered(old.ObjectContains)+" → "+covered(c.ObjectContains))
	}
	return out
}

func proposed(b bool) string {
	if b {
		return "proposée"
	}
	return "non proposée"
}

func covered(match string) string {
	if match == "" {
		return "toutes"
	}
	return "objet contenant « " + match + " »"
}
