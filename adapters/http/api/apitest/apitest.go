// Package apitest holds the API's tests to its contract, the OpenAPI
// document api.OpenAPI: Check wraps the portal's handler in the tests
// (adapters/http/webtest/full does it for every test that serves the
// whole portal), so that every request a test sends under /api/ and the
// portal's answer are checked against the document, and a test cannot
// forget to. It is for tests only: no production package imports it, so
// the validator stays out of the portal's binary.
package apitest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/portail-factures/portail/adapters/http/api"
)

// Contract is the API's document, parsed once, with its validator.
type Contract struct {
	Document  libopenapi.Document
	Validator validator.Validator
	// head checks HEAD answers as their GET's, body aside: the
	// document says HEAD answers like GET on every GET route.
	head validator.Validator
	// errorSchema is components/schemas/Error, the body of every error,
	// for the answers to routes the document does not have.
	errorSchema *base.Schema
	// mu serialises the validator's use: the portal's tests send
	// requests in parallel.
	mu sync.Mutex
}

var (
	once     sync.Once
	contract *Contract
	loadErr  error
)

// Load parses api.OpenAPI once for the whole test binary.
func Load() (*Contract, error) {
	once.Do(func() { contract, loadErr = parse(api.OpenAPI) })
	return contract, loadErr
}

func parse(spec []byte) (*Contract, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, fmt.Errorf("apitest: openapi.json: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithRejectUndeclaredRequestBody())
	if len(errs) > 0 {
		return nil, fmt.Errorf("apitest: openapi.json: %v", errs)
	}
	head, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithRejectUndeclaredRequestBody(),
		config.WithoutResponseBodyValidation())
	if len(errs) > 0 {
		return nil, fmt.Errorf("apitest: openapi.json: %v", errs)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("apitest: openapi.json: %w", err)
	}
	proxy, ok := model.Model.Components.Schemas.Get("Error")
	if !ok {
		return nil, fmt.Errorf("apitest: openapi.json has no components/schemas/Error")
	}
	return &Contract{Document: doc, Validator: v, head: head, errorSchema: proxy.Schema()}, nil
}

// Check serves next, and checks every exchange under /api/ against the
// contract, failing t with what differs.
func Check(t testing.TB, next http.Handler) http.Handler {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !api.IsAPI(r) {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("apitest: reading the request to %s: %v", r.URL, err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())

		req := r.Clone(r.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		res := rec.Result()
		if err := uncompress(res); err != nil {
			t.Errorf("apitest: %s %s: %v", r.Method, r.URL, err)
		}
		for _, p := range c.Exchange(req, res) {
			t.Errorf("OpenAPI contract: %s %s → %d: %s\n%s", r.Method, r.URL.RequestURI(), res.StatusCode, p, excerpt(res))
		}
	})
}

// Exchange returns what, in req and its answer res, the contract does
// not allow:
//   - a route or method the document does not have must be answered by
//     an error (404 or 405) whose body is the document's Error;
//   - a request the document refuses (missing key, wrong body…) must be
//     answered 4xx: an API that accepts what its contract refuses has
//     drifted from it;
//   - every answer on a documented operation must be documented: its
//     status, its content type and its body (no field the document does
//     not name), whatever the request;
//   - a HEAD request is checked as its GET, its answer's body aside.
func (c *Contract) Exchange(req *http.Request, res *http.Response) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	resBody, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	reqBody, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))

	v := c.Validator
	if req.Method == http.MethodHead {
		req = req.Clone(req.Context())
		req.Method, v = http.MethodGet, c.head
	}
	var out []string
	ok, errs := v.ValidateHttpRequestSync(req)
	if !ok && unknownRoute(errs) {
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
			return []string{"a route or method the document does not have answered " + res.Status + ": document it in openapi.json"}
		}
		if ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(c.errorSchema, resBody); !ok {
			out = append(out, "the error is not the document's Error: "+describe(errs))
		}
		return out
	}
	if !ok && (res.StatusCode < 400 || res.StatusCode >= 500) {
		out = append(out, "the document refuses the request ("+describe(errs)+") but the API answered "+res.Status)
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, errs := v.ValidateHttpResponse(req, res); !ok {
		out = append(out, "answer not in the document: "+describe(errs))
	}
	return out
}

// unknownRoute reports whether errs say the document has no such path or
// no such method on it.
func unknownRoute(errs []*liberrors.ValidationError) bool {
	for _, e := range errs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			return true
		}
	}
	return false
}

func describe(errs []*liberrors.ValidationError) string {
	var parts []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
		for _, f := range e.SchemaValidationErrors {
			s += "; " + f.FieldPath + ": " + f.Reason
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

// uncompress replaces a gzip body (kit.Compress) by its content.
func uncompress(res *http.Response) error {
	if res.Header.Get("Content-Encoding") != "gzip" {
		return nil
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	res.Body = io.NopCloser(bytes.NewReader(data))
	res.Header.Del("Content-Encoding")
	res.Header.Del("Content-Length")
	return nil
}

// excerpt is the start of a JSON answer, for the failure message.
func excerpt(res *http.Response) string {
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("Content-Encoding") != "" {
		return "(body not shown)"
	}
	raw, _ := io.ReadAll(res.Body)
	const most = 400
	if len(raw) > most {
		return string(raw[:most]) + "…"
	}
	return string(raw)
}
