package backoffice

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// PageLinks exposes pageLinks to the package's external tests.
var PageLinks = pageLinks

// StaffRedirect exposes staffRedirect to the external tests.
var StaffRedirect = staffRedirect

// SettingsValues is the settings form of b as the page fills it, for the
// tests that post it back.
func SettingsValues(b domain.Biller) map[string]string {
	return settingsForm(ports.SettingsInputOf(b)).Values
}

// StaffWrite exposes staffWrite, for a test that mounts a route of its
// own behind it.
func (s *BackOffice) StaffWrite(h kit.HandlerFunc) http.Handler { return s.staffWrite(h) }
