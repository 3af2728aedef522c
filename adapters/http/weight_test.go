package http

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
)

// The invoice list after the first visit: the page gzip-compressed, its
// style sheet and script under hashed names kept by the browser
// (immutable) and revalidated with 304 at their plain names.
func TestInvoiceListIsLightOnTheWire(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	gz := func(path string, headers ...string) (p webtest.Resp, wire int) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.TS.URL+path, nil)
		require.NoError(t, err)
		// Set by hand, the header makes the client hand over the
		// compressed bytes as they came.
		req.Header.Set("Accept-Encoding", "gzip")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		p = b.Do(req)
		wire = len(p.Body)
		if p.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(p.Body))
			require.NoError(t, err)
			plain, err := io.ReadAll(zr)
			require.NoError(t, err)
			p.Body = string(plain)
		}
		return p, wire
	}

	page, wire := gz("/factures")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Equal(t, "gzip", page.Header.Get("Content-Encoding"))
	assert.Contains(t, page.Header.Values("Vary"), "Accept-Encoding")
	webtest.Contains(t, page, "Mes factures")
	assert.Less(t, wire, len(page.Body)/2, "compressed")
	assert.LessOrEqual(t, wire, 5*1024, "the invoice list weighs at most 5 KB on the wire (issue 14)")

	css := regexp.MustCompile(`href="(/static/portail\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(page.Body)
	require.NotNil(t, css, "the page links to the hashed style sheet")
	sheet, sheetWire := gz(css[1])
	require.Equal(t, http.StatusOK, sheet.Status)
	assert.Equal(t, "gzip", sheet.Header.Get("Content-Encoding"))
	assert.Less(t, sheetWire, len(sheet.Body)/2)
	assert.Equal(t, "public, max-age=31536000, immutable", sheet.Header.Get("Cache-Control"))
	etag := sheet.Header.Get("ETag")
	require.NotEmpty(t, etag)
	again, _ := gz(css[1], "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, again.Status)
	old, _ := gz("/static/portail.css", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, old.Status, "a page cached before the deployment revalidates its plain address")
	assert.Equal(t, "no-cache", old.Header.Get("Cache-Control"))

	// The form token on the page is masked afresh each time (BREACH) and
	// still accepted.
	token := regexp.MustCompile(`name="jeton" value="([^"]+)"`)
	next, _ := gz("/factures")
	first, second := token.FindStringSubmatch(page.Body), token.FindStringSubmatch(next.Body)
	require.NotNil(t, first)
	require.NotNil(t, second)
	assert.NotEqual(t, first[1], second[1])
}
