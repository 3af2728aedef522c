// Package journeys drives the real portal in headless Chromium, as a
// citizen does, and audits every page it visits with axe-core (WCAG 2.0
// and 2.1, levels A and AA).
//
// The tests build the portal binary, start it in demo mode on a free
// loopback port, and stop it at the end. They are behind the build tag
// "browser", so that a plain `go test ./...` stays fast and needs no
// browser:
//
//	apt-get install -y chromium
//	npm ci --prefix cmd/portal/journeys
//	go test -tags browser ./cmd/portal/journeys/
//
// Without Chromium the suite skips, saying how to install it; with
// CI=true a missing browser or axe-core is a failure.
package journeys
