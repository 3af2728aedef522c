package kit

import (
	"fmt"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// CompressedTypes are the only content types Compress compresses: pages,
// style sheets, scripts and the API's documents. Everything else goes
// out as written: PDFs and images are compressed already, and a CSV
// download is sent whole to be saved, not shown.
var CompressedTypes = []string{"text/html", "text/css", "text/javascript", "application/javascript", "application/json"}

// compressMinSize is the smallest body worth compressing: below it the
// gzip header and trailer cost more than they save.
const compressMinSize = 512

// Compress gzip-compresses the responses of next whose type is one of
// CompressedTypes, for clients that accept gzip (klauspost/compress's
// gzhttp, which also sets Vary: Accept-Encoding and leaves a partial
// answer alone). Pages carrying a form token are safe to compress because
// the token is masked afresh in every response (MaskToken; see BREACH in
// ARCHITECTURE.md).
func Compress(next http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypes(CompressedTypes),
		gzhttp.MinSize(compressMinSize),
		// gzip only: every browser speaks it, and one encoding keeps one
		// compressed variant per response.
		gzhttp.EnableZstd(false),
	)
	if err != nil {
		return nil, fmt.Errorf("http: compression: %w", err)
	}
	return wrap(next), nil
}
