package kit

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFiles embed.FS

// Assets serves the embedded style sheets and script. Each file answers
// under two names: its hashed name (portail.3f2a9c1b7d4e.css, the hash of
// its content computed at start), which pages link to through the
// templates' "static" function and browsers keep for a year without
// asking again (Cache-Control: immutable); and its plain name
// (portail.css, and the older ?v=… addresses), which pages cached before
// a deployment still use: it is revalidated on every use (no-cache) and
// answers 304 while unchanged. Both carry the content hash as a weak ETag,
// weak because the same file goes out gzip-compressed or not (Compress).
type Assets struct {
	files  map[string]asset // hashed and plain names → the file
	hashed map[string]string
}

type asset struct {
	content  []byte
	name     string // the plain name: its extension gives the type
	etag     string
	hashedAt bool // served under its hashed name: immutable
}

// LoadAssets reads the embedded static files and names each by its
// content's hash.
func LoadAssets() (*Assets, error) {
	return loadAssets(staticFiles, "static")
}

func loadAssets(fsys fs.FS, dir string) (*Assets, error) {
	files, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("http: static files: %w", err)
	}
	a := &Assets{files: map[string]asset{}, hashed: map[string]string{}}
	err = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(name)
		hashedName := strings.TrimSuffix(name, ext) + "." + hash + ext
		etag := `W/"` + hash + `"`
		a.hashed[name] = hashedName
		a.files[name] = asset{content: b, name: name, etag: etag}
		a.files[hashedName] = asset{content: b, name: name, etag: etag, hashedAt: true}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("http: static files: %w", err)
	}
	return a, nil
}

// URL returns the hashed address of a static file; a file that does not
// exist fails the template, which the template tests catch.
func (a *Assets) URL(name string) (string, error) {
	h, ok := a.hashed[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + h, nil
}

// ServeHTTP serves GET /static/NAME, NAME hashed or plain.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")]
	if !ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Fichier introuvable.\n"))
		return
	}
	if f.hashedAt {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", f.etag)
	// ServeContent answers If-None-Match with 304 and sets the type from
	// the extension.
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.content))
}
