package main

import (
	"context"
	"net/http"
)

// buildHandler wires the portal by hand and returns its HTTP handler.
//
// This is the one place where adapters meet the use cases: choose the store
// from m.Config.Database.URL (empty: in-memory demo store), build the other
// driven adapters, hand them to the use cases, and mount the HTTP adapter
// on the mux. Register whatever must be released at exit with m.onClose.
// ctx is cancelled on SIGINT/SIGTERM; use it for start-up work such as
// connecting to the database or running migrations.
func (m *Main) buildHandler(ctx context.Context) (http.Handler, error) {
	_ = ctx // used once the store is wired
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	return mux, nil
}
