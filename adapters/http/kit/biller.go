package kit

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Several collectivités share one instance: each biller has its host
// names, and a request is served for the biller of its Host header. A
// host no biller claims is served for SiteConfig.BillerID when it is set (a
// single-biller instance, the demo), and gets a 404 otherwise.

type ctxKey int

const billerKey ctxKey = 0

// errUnknownHost answers a host that no biller serves.
var errUnknownHost = &domain.Error{Code: domain.NotFound,
	Message: "Aucun portail des factures n'est ouvert à cette adresse. Vérifiez l'adresse indiquée par votre service de facturation."}

// WithBiller resolves the biller of the request's host once, for every
// route but the ones that serve all billers alike (static files, health,
// the DGFiP's notifications, the demo's tools); it also puts the client's
// address in the context (ports.WithClientIP). A host no biller serves
// goes to fail.
func (s *Site) WithBiller(next http.Handler, fail FailFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := ports.WithClientIP(r.Context(), s.Limits.ClientIP(r))
		if allBillers(r.URL.Path) {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		b, err := s.Portal.BillerForHost(ctx, r.Host)
		if domain.ErrorCode(err) == domain.NotFound && s.fallback != uuid.Nil {
			b, err = s.Portal.BillerByID(ctx, s.fallback)
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				err = errUnknownHost
			}
			fail(w, r.WithContext(ctx), err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, billerKey, b)))
	})
}

// allBillers reports whether path is served the same for every host.
func allBillers(path string) bool {
	return path == "/healthz" || path == "/readyz" || strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/_dev/") ||
		path == ports.PathPaymentNotify
}

// BillerOf returns the biller the request is served for; the zero
// Biller on the routes of allBillers.
func BillerOf(r *http.Request) domain.Biller {
	b, _ := r.Context().Value(billerKey).(domain.Biller)
	return b
}

// BillerID returns the id of the biller the request is served for.
func BillerID(r *http.Request) uuid.UUID { return BillerOf(r).ID }

// BillerName returns the name of the biller served, for page titles and
// the legal pages; empty on the routes that serve every biller.
func BillerName(r *http.Request) string { return BillerOf(r).Name }
