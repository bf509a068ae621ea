package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/magpie-sns/magpie/service"
)

// Swagger UI at /api/docs/: our page and start-up script, and the files of
// the npm package swagger-ui-dist, vendored as swaggerui/README.md records.

// docsCSP lets the docs page load only this server's files and talk only to
// this server. Swagger UI sets inline styles and draws icons from data: URLs.
const docsCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'"

// asset is an embedded file of the docs page.
type asset struct {
	contentType string
	body        []byte
	etag        string
	// gzipped is body at gzip's best level, compressed on first use, or
	// nil where that saves nothing (an image). The bundle, 1.7 MB, is
	// then sent in 460 KB for no CPU, where the server's own layer would
	// compress it again for each request, at its fastest level.
	gzipped func() []byte
}

//go:embed swaggerui
var swaggerUI embed.FS

func newAsset(name, contentType string) asset {
	body, err := swaggerUI.ReadFile("swaggerui/" + name)
	if err != nil {
		panic(err) // a name below that is not in swaggerui/: a build mistake
	}
	sum := sha256.Sum256(body)
	return asset{contentType: contentType, body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
		gzipped: sync.OnceValue(func() []byte { return gzipBest(body) })}
}

// gzipBest returns body gzipped at the best level, or nil if that is not
// smaller by at least a tenth.
func gzipBest(body []byte) []byte {
	var buf bytes.Buffer
	// Neither a valid level nor writing to memory can fail.
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	zw.Close()
	if buf.Len() > len(body)*9/10 {
		return nil
	}
	return buf.Bytes()
}

var (
	docsPage = newAsset("index.html", "text/html; charset=utf-8")
	// docsAssets are the files under /api/docs/, with their media types
	// named here rather than guessed from the system's MIME table. The
	// document lists the same names: a test checks that.
	docsAssets = map[string]asset{
		"init.js":                          newAsset("init.js", "text/javascript; charset=utf-8"),
		"swagger-ui-bundle.js":             newAsset("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
		"swagger-ui.css":                   newAsset("swagger-ui.css", "text/css; charset=utf-8"),
		"favicon-32x32.png":                newAsset("favicon-32x32.png", "image/png"),
		"LICENSE":                          newAsset("LICENSE", "text/plain; charset=utf-8"),
		"NOTICE":                           newAsset("NOTICE", "text/plain; charset=utf-8"),
		"swagger-ui-bundle.js.LICENSE.txt": newAsset("swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8"),
	}
)

// docs: GET /api/docs/, the Swagger UI page.
func (a *API) docs(w http.ResponseWriter, r *http.Request) error {
	serveAsset(w, r, docsPage)
	return nil
}

// docsAsset: GET /api/docs/{asset}, a file the page loads.
func (a *API) docsAsset(w http.ResponseWriter, r *http.Request) error {
	file, ok := docsAssets[r.PathValue("asset")]
	if !ok {
		return service.NotFound()
	}
	serveAsset(w, r, file)
	return nil
}

// serveAsset writes a, or 304 if the client's copy is current. The file
// names carry no version, so clients must revalidate (no-cache) rather than
// keep a file for a while; the ETag makes that a cheap 304.
func serveAsset(w http.ResponseWriter, r *http.Request, a asset) {
	h := w.Header()
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	if etagMatches(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	body := a.body
	if gz := a.gzipped(); gz != nil && acceptsGzip(r.Header.Values("Accept-Encoding")) {
		// The server's compression layer passes a body with an encoding
		// through as it is, and lists Accept-Encoding in Vary.
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// acceptsGzip reports whether Accept-Encoding field values list gzip (or
// its old name x-gzip) with a weight above zero (RFC 9110 12.5.3). As the
// server's compression layer, it takes no "*" for gzip.
func acceptsGzip(acceptEncoding []string) bool {
	for _, v := range acceptEncoding {
		for coding := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(coding, ";")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, "gzip") && !strings.EqualFold(name, "x-gzip") {
				continue
			}
			return !zeroWeight(params)
		}
	}
	return false
}

// zeroWeight reports whether the parameters of a coding give it q=0.
func zeroWeight(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}

// etagMatches reports whether an If-None-Match header lists etag (RFC 9110
// 13.1.2: weak comparison, or "*").
func etagMatches(ifNoneMatch, etag string) bool {
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}
