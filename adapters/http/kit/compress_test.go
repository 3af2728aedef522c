package kit

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompressGzipsTextOnly(t *testing.T) {
	body := strings.Repeat("Mes factures, non réglées. ", 200)
	for ct, want := range map[string]bool{
		"text/html; charset=utf-8":        true,
		"text/css; charset=utf-8":         true,
		"text/javascript; charset=utf-8":  true,
		"application/json; charset=utf-8": true,
		"application/pdf":                 false, // compressed already
		"text/csv; charset=utf-8":         false, // a download, sent as is
		"image/png":                       false,
	} {
		h, err := Compress(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ct)
			_, _ = io.WriteString(w, body)
		}))
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodGet, "/x", nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Contains(t, rec.Header().Values("Vary"), "Accept-Encoding", ct)
		if !want {
			assert.Empty(t, rec.Header().Get("Content-Encoding"), ct)
			assert.Equal(t, body, rec.Body.String(), ct)
			continue
		}
		require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"), ct)
		assert.Less(t, rec.Body.Len(), len(body)/10, ct)
		zr, err := gzip.NewReader(rec.Body)
		require.NoError(t, err)
		got, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, body, string(got), ct)

		// A client that does not accept gzip gets the plain body.
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
		assert.Empty(t, rec.Header().Get("Content-Encoding"), ct)
		assert.Equal(t, body, rec.Body.String(), ct)
	}
}

func TestStaticNamesFollowTheContent(t *testing.T) {
	load := func(css string) *Assets {
		a, err := loadAssets(fstest.MapFS{"static/portail.css": {Data: []byte(css)}}, "static")
		require.NoError(t, err)
		return a
	}
	one, err := load("body { color: black }").URL("portail.css")
	require.NoError(t, err)
	again, err := load("body { color: black }").URL("portail.css")
	require.NoError(t, err)
	other, err := load("body { color: navy }").URL("portail.css")
	require.NoError(t, err)
	assert.Regexp(t, `^/static/portail\.[0-9a-f]{12}\.css$`, one)
	assert.Equal(t, one, again, "the same content keeps its name")
	assert.NotEqual(t, one, other, "new content, new name")
	_, err = load("x").URL("absent.css")
	assert.Error(t, err)
}

func TestStaticCachingAndNotModified(t *testing.T) {
	a, err := LoadAssets()
	require.NoError(t, err)
	hashed, err := a.URL("portail.css")
	require.NoError(t, err)
	get := func(path, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		return rec
	}
	for path, cache := range map[string]string{
		hashed:                        "public, max-age=31536000, immutable",
		"/static/portail.css":         "no-cache", // pages cached before a deployment
		"/static/portail.css?v=0a1b2": "no-cache", // the older versioned address
	} {
		rec := get(path, "")
		require.Equal(t, http.StatusOK, rec.Code, path)
		assert.Equal(t, cache, rec.Header().Get("Cache-Control"), path)
		assert.Equal(t, "text/css; charset=utf-8", rec.Header().Get("Content-Type"), path)
		etag := rec.Header().Get("ETag")
		assert.Regexp(t, `^W/"[0-9a-f]{12}"$`, etag, path)
		assert.Contains(t, hashed, strings.Trim(strings.TrimPrefix(etag, "W/"), `"`), "the ETag is the content's hash")

		rec = get(path, etag)
		assert.Equal(t, http.StatusNotModified, rec.Code, path)
		assert.Empty(t, rec.Body.String(), path)
		assert.Equal(t, http.StatusOK, get(path, `W/"autre"`).Code, path)
	}
	assert.Equal(t, http.StatusNotFound, get("/static/absent.css", "").Code)
}

func TestMaskedTokensDifferEachTimeAndStillMatch(t *testing.T) {
	token := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	a, b := MaskToken(token), MaskToken(token)
	assert.NotEqual(t, a, b, "a fresh pad for every page")
	assert.NotContains(t, a, token)
	assert.True(t, SameToken(a, token))
	assert.True(t, SameToken(b, token))
	assert.True(t, SameToken(token, token), "a form rendered before masking still posts")
	assert.False(t, SameToken(MaskToken("ABCDEFGHIJKLMNOPQRSTUVWXY2"), token))
	assert.False(t, SameToken("", token))
	assert.False(t, SameToken(MaskToken(""), ""))
	assert.False(t, SameToken("%%%", token))
}
