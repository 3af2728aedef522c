package http

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"
	"time"

	"github.com/portail-factures/portail/ports"
)

// RequestIDHeader carries a request's id: kept from a trusted reverse
// proxy's request (Config.TrustRequestID), always in the response.
const RequestIDHeader = "X-Request-Id"

// RequestObserver is told of every request once served, for the
// operators' metrics: its route (the ServeMux pattern that matched, never
// the path, so that the figures have one series per route, not one per
// invoice; "" when no route matched: an unknown host, a refused
// cross-origin write), its status and how long it took.
type RequestObserver interface {
	ObserveRequest(route string, status int, took time.Duration)
}

// unmatched names the route of a request no pattern matched, in the
// access log.
const unmatched = "-"

// maxRequestIDLength bounds an id kept from a proxy.
const maxRequestIDLength = 64

// track gives each request its id (ports.WithRequestID, the response's
// X-Request-Id), then writes one access-log line once it is served
// (method, route pattern, status, bytes, duration; the log handler adds
// the request id) and tells the observer. It never logs the path nor
// the query string: a path may hold a link's secret, a query a token.
// route is the ServeMux pattern routed records into the request's
// context (noteRoute).
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := ""
		if s.trustRequestID {
			if v := r.Header.Get(RequestIDHeader); validRequestID(v) {
				id = v
			}
		}
		if id == "" {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		note := &routeNote{}
		ctx := context.WithValue(ports.WithRequestID(r.Context(), id), routeNoteKey{}, note)
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		took := time.Since(start)
		route := note.pattern
		logged := route
		if logged == "" {
			logged = unmatched
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", logged),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", took),
		)
		if s.requests != nil {
			s.requests.ObserveRequest(route, rec.status, took)
		}
	})
}

// routeNoteKey is the context key of a request's routeNote.
type routeNoteKey struct{}

// routeNote is where the mux's pattern is written for track: the
// middleware between them pass on copies of the request
// (r.WithContext), so track cannot read r.Pattern on its own.
type routeNote struct{ pattern string }

// noteRoute serves mux and writes the pattern it matched into the
// request's routeNote, also when a handler panics. ServeMux sets
// r.Pattern on the request it is given, the one noteRoute holds.
func noteRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if note, ok := r.Context().Value(routeNoteKey{}).(*routeNote); ok {
			defer func() { note.pattern = r.Pattern }()
		}
		mux.ServeHTTP(w, r)
	})
}

// validRequestID reports whether a proxy's id may be kept: 1 to 64
// letters, digits and - _ . : (a UUID, a hex or base32 string), nothing
// that could break a log line or a header.
func validRequestID(v string) bool {
	if v == "" || len(v) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// requestIDEncoding writes ids in capitals and digits 2 to 7, without
// 0, 1, 8 or 9: easy to read out over the phone to support.
var requestIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRequestID draws a fresh id: 10 random bytes, 16 characters.
func newRequestID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return requestIDEncoding.EncodeToString(b[:])
}

// responseRecorder remembers the status and the size of a response.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *responseRecorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 { // 1xx responses are not the final status
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush,
// deadlines) through the recorder.
func (r *responseRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
