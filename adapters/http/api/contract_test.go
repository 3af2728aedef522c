package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/api"
	"github.com/portail-factures/portail/adapters/http/api/apitest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
)

// The API's contract, openapi.json, is checked three ways: it is a valid
// OpenAPI 3.1 document whose examples follow its own schemas; it names
// exactly the routes the API registers; and every test that serves the
// whole portal checks each exchange under /api/ against it
// (apitest.Check, in webtest/full), which the last test here shows
// catches drift.

func contract(t *testing.T) *apitest.Contract {
	t.Helper()
	c, err := apitest.Load()
	require.NoError(t, err)
	return c
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	c := contract(t)
	assert.True(t, strings.HasPrefix(c.Document.GetVersion(), "3.1."), c.Document.GetVersion())
	ok, errs := c.Validator.ValidateDocument()
	assert.True(t, ok, "%v", errs)

	model, err := c.Document.BuildV3Model()
	require.NoError(t, err)
	examples := 0
	check := func(where string, mt *v3.MediaType, node *yaml.Node) {
		t.Helper()
		if node == nil || mt.Schema == nil || !strings.Contains(where, "json") {
			return
		}
		var v any
		require.NoError(t, node.Decode(&v), where)
		raw, err := json.Marshal(v)
		require.NoError(t, err, where)
		ok, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(mt.Schema.Schema(), raw)
		assert.True(t, ok, "the example of %s does not follow its schema: %v", where, errs)
		examples++
	}
	each := func(where string, content *orderedmap.Map[string, *v3.MediaType]) {
		for name, mt := range content.FromOldest() {
			check(where+" "+name, mt, mt.Example)
			if mt.Examples != nil {
				for key, ex := range mt.Examples.FromOldest() {
					check(where+" "+name+" "+key, mt, ex.Value)
				}
			}
		}
	}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			require.NotEmpty(t, op.Description, "%s %s has no description", method, path)
			if op.RequestBody != nil {
				each(method+" "+path+" request", op.RequestBody.Content)
			}
			for code, res := range op.Responses.Codes.FromOldest() {
				if res.Content != nil {
					each(method+" "+path+" "+code, res.Content)
				}
			}
		}
	}
	assert.Greater(t, examples, 30, "every JSON request and answer has an example")
}

func TestOpenAPIDocumentNamesEveryRoute(t *testing.T) {
	model, err := contract(t).Document.BuildV3Model()
	require.NoError(t, err)
	var documented, registered []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for _, rt := range api.RegisteredRoutes() {
		registered = append(registered, rt.Method+" "+rt.Path)
	}
	sort.Strings(documented)
	sort.Strings(registered)
	assert.Equal(t, registered, documented, "routes.go and openapi.json name the same routes")
}

// TestOpenAPIDocumentNamesEveryErrorCode: each code the API gives a
// domain error is in the document's list.
func TestOpenAPIDocumentNamesEveryErrorCode(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				ErrorDetail struct {
					Properties struct {
						Code struct {
							Enum []string `json:"enum"`
						} `json:"code"`
					} `json:"properties"`
				} `json:"ErrorDetail"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(api.OpenAPI, &doc))
	enum := doc.Components.Schemas.ErrorDetail.Properties.Code.Enum
	for _, code := range api.DomainErrorCodes() {
		assert.Contains(t, enum, code)
	}
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	p := b.Get("/api/v1/openapi.json")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, "application/json; charset=utf-8", p.Header.Get("Content-Type"))
	assert.Equal(t, "public, max-age=3600", p.Header.Get("Cache-Control"))
	assert.JSONEq(t, string(api.OpenAPI), p.Body, "no key needed")
	etag := p.Header.Get("ETag")
	require.NotEmpty(t, etag)

	req, err := http.NewRequest(http.MethodGet, e.TS.URL+"/api/v1/openapi.json", nil)
	require.NoError(t, err)
	req.Header.Set("If-None-Match", etag)
	again := b.Do(req)
	assert.Equal(t, http.StatusNotModified, again.Status)
	assert.Empty(t, again.Body)

	head := b.Do(mustRequest(t, "HEAD", e.TS.URL+"/api/v1/openapi.json"))
	assert.Equal(t, http.StatusOK, head.Status)
	assert.Empty(t, head.Body)
	apiError(t, b.Do(mustRequest(t, "PUT", e.TS.URL+"/api/v1/openapi.json")), http.StatusMethodNotAllowed, "method_not_allowed", "")
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}

// TestContractCatchesDrift: what apitest.Check reports for answers the
// document does not allow, and that it reports nothing for one it does.
func TestContractCatchesDrift(t *testing.T) {
	c := contract(t)
	payer := `{"payer":{"reference":"A","name":"A","email":"","activated":false,"paperless":false,"paperless_requested_at":null,"created_at":"2026-11-26T09:00:00Z","updated_at":null}}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		answer, want             string
	}{
		{"documented", "GET", "/api/v1/payers/A", "", 200, payer, ""},
		{"an invoice number with a slash", "GET", "/api/v1/invoices/F%2F2026%2F001", "", 404, `{"error":{"code":"not_found","message":"Facture inconnue."}}`, ""},
		{"an undocumented field", "GET", "/api/v1/payers/A", "", 200, strings.Replace(payer, `"name"`, `"telephone":"0102","name"`, 1), "telephone"},
		{"a missing field", "GET", "/api/v1/payers/A", "", 200, strings.Replace(payer, `"activated":false,`, "", 1), "activated"},
		{"an instant that is not one", "GET", "/api/v1/payers/A", "", 200, strings.Replace(payer, `"2026-11-26T09:00:00Z"`, `"hier"`, 1), "created_at"},
		{"an undocumented status", "GET", "/api/v1/payers/A", "", 418, `{"error":{"code":"conflict","message":"Non."}}`, "418"},
		{"an error code of another status", "GET", "/api/v1/payments?since=2026-01-01", "", 400, `{"error":{"code":"conflict","message":"Non.","field":"since"}}`, "invalid_request"},
		{"an undocumented route that works", "GET", "/api/v1/factures", "", 200, `{}`, "does not have"},
		{"an undocumented route's 404", "GET", "/api/v1/factures", "", 404, `{"error":{"code":"not_found","message":"Cette adresse n'existe pas."}}`, ""},
		{"a refused request that works", "PUT", "/api/v1/payers/A", `{"nom":"A"}`, 200, payer, "refuses the request"},
		{"HEAD, as its GET", "HEAD", "/api/v1/payers/A", "", 200, "", ""},
		{"HEAD, undocumented status", "HEAD", "/api/v1/payers/A", "", 418, "", "418"},
		{"a refused request refused", "PUT", "/api/v1/payers/A", `{"nom":"A"}`, 400, `{"error":{"code":"invalid_json","message":"Champ inconnu : « nom ».","field":"nom"}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer pdf_clé")
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", "application/json; charset=utf-8")
			rec.WriteHeader(tc.status)
			_, _ = rec.WriteString(tc.answer)
			problems := strings.Join(c.Exchange(req, rec.Result()), "\n")
			if tc.want == "" {
				assert.Empty(t, problems)
			} else {
				assert.Contains(t, problems, tc.want)
			}
		})
	}
}
