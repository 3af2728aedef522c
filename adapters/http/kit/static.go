package kit

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// Assets serves the embedded style sheet and script. Their URLs carry a
// hash of their content (?v=…), so browsers may keep them for a year and
// still get a new version as soon as it ships.
type Assets struct {
	files   fs.FS
	version map[string]string // file name → content hash
	server  http.Handler
}

func LoadAssets() (*Assets, error) {
	files, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("http: static files: %w", err)
	}
	a := &Assets{files: files, version: map[string]string{}, server: http.FileServerFS(files)}
	err = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.version[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("http: static files: %w", err)
	}
	return a, nil
}

// URL returns the versioned address of a static file; a file that does
// not exist fails the template, which the template tests catch.
func (a *Assets) URL(name string) (string, error) {
	v, ok := a.version[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + v, nil
}

// ServeHTTP serves GET /static/NAME.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
	v, ok := a.version[name]
	if !ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Fichier introuvable.\n"))
		return
	}
	if r.URL.Query().Get("v") == v {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + name
	a.server.ServeHTTP(w, r2)
}
