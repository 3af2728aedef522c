package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// OpenAPI is the API's contract, an OpenAPI 3.1 document written by hand
// (openapi.json, in French for the billing software vendors) and served
// at openAPIPath. Every test of the API checks its requests and answers
// against it (adapters/http/api/apitest), so it cannot drift from the
// code.
//
//go:embed openapi.json
var OpenAPI []byte

// openAPIPath is where the API serves its contract, without a key.
const openAPIPath = "/api/v1/openapi.json"

// openAPIETag is the document's strong ETag: its content hash.
var openAPIETag = func() string {
	sum := sha256.Sum256(OpenAPI)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// serveOpenAPI serves the contract: the same for every biller and every
// caller, so caches may keep it an hour and revalidate it with its ETag
// (304 on If-None-Match). No ranges: the document is small, and its
// answers stay the two it documents.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", openAPIETag)
	if strings.Contains(r.Header.Get("If-None-Match"), openAPIETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(OpenAPI)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(OpenAPI)
	}
}
