package api_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie/api"
)

// fetch sends a request with the Accept-Encoding given ("" for none)
// through a transport that neither asks for gzip nor decodes it, as the
// helpers' client does. It returns the response, decoded, checked against
// the document, and the body as the server sent it.
func (c *client) fetch(method, path, acceptEncoding string, headers ...string) (res *response, raw []byte) {
	c.e.t.Helper()
	t := c.e.t
	req, err := http.NewRequestWithContext(t.Context(), method, c.e.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.authz != "" {
		req.Header.Set("Authorization", c.authz)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	hres, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer hres.Body.Close()
	raw, err = io.ReadAll(hres.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := raw
	switch ce := hres.Header.Get("Content-Encoding"); {
	case ce == "" || method == http.MethodHead:
	case ce == "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s %s: Content-Encoding gzip, but: %v", method, path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s %s: bad gzip: %v", method, path, err)
		}
	default:
		t.Fatalf("%s %s: Content-Encoding %q", method, path, ce)
	}
	name := method + " " + path + " (Accept-Encoding: " + acceptEncoding + ")"
	res = &response{t: t, req: name, status: hres.StatusCode, header: hres.Header, body: body}
	res.checkDocumented(req)
	return res, raw
}

// wantEncoding checks the response's Content-Encoding ("" for none) and
// that its Vary header lists Accept-Encoding.
func (r *response) wantEncoding(ce string) *response {
	r.t.Helper()
	if got := r.header.Get("Content-Encoding"); got != ce {
		r.t.Errorf("%s: Content-Encoding %q, want %q", r.req, got, ce)
	}
	if !varyLists(r.header, "Accept-Encoding") {
		r.t.Errorf("%s: Vary %q does not list Accept-Encoding", r.req, r.header.Values("Vary"))
	}
	return r
}

// varyLists reports whether h's Vary header lists field.
func varyLists(h http.Header, field string) bool {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return true
			}
		}
	}
	return false
}

var compressionTests = []apiTest{
	{"ListsAreGzipped", func(t *testing.T, e *env) {
		alice := e.user("alice")
		for i := range 25 {
			alice.newPost(fmt.Sprintf("post %d", i), false)
		}
		gz, raw := alice.fetch("GET", "/blog/post/", "gzip")
		gz.wantStatus(http.StatusOK).wantEncoding("gzip")
		plain, plainRaw := alice.fetch("GET", "/blog/post/", "")
		plain.wantStatus(http.StatusOK).wantEncoding("")
		if !bytes.Equal(gz.body, plainRaw) {
			t.Errorf("gunzipped:\n%s\nplain:\n%s", gz.body, plainRaw)
		}
		if len(raw) >= len(plainRaw) {
			t.Errorf("gzip: %d bytes, plain: %d", len(raw), len(plainRaw))
		}
		if titles(t, gz)[0] != "post 24" || gz.next() == "" || gz.next() != plain.next() {
			t.Errorf("page: %q, next %q and %q", titles(t, gz), gz.next(), plain.next())
		}
		// Clients that refuse gzip, or know only other codings, get it plain.
		for _, ae := range []string{"gzip;q=0", "identity", "deflate, br", "zstd"} {
			res, raw := alice.fetch("GET", "/blog/post/", ae)
			res.wantStatus(http.StatusOK).wantEncoding("")
			if !bytes.Equal(raw, plainRaw) {
				t.Errorf("Accept-Encoding %q: not the plain body", ae)
			}
		}
		// A browser's list gets gzip.
		res, _ := alice.fetch("GET", "/blog/post/", "gzip, deflate, br, zstd")
		res.wantEncoding("gzip")
	}},
	{"SmallAnswersAndErrorsAsBefore", func(t *testing.T, e *env) {
		alice := e.user("alice")
		p := alice.newPost("one", false)
		for _, ae := range []string{"gzip", ""} {
			me, raw := alice.fetch("GET", "/users/me/", ae)
			me.wantStatus(http.StatusOK).wantEncoding("")
			if me.object()["username"] != "alice" || !bytes.Equal(raw, me.body) {
				t.Errorf("%s: %s", me.req, raw)
			}
			res, _ := alice.fetch("GET", "/blog/post/999999/", ae)
			res.wantEncoding("").wantError(http.StatusNotFound, `{"detail": "Not found."}`)
			res, _ = e.anon().fetch("GET", "/users/", ae)
			res.wantEncoding("").wantError(http.StatusUnauthorized, `{"detail": "Authentication credentials were not provided."}`)
			if res.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate", res.req)
			}
			res, _ = alice.fetch("GET", "/blog/post/?limit=1000", ae)
			res.wantEncoding("").wantError(http.StatusBadRequest, `{"limit": ["Ensure this value is between 1 and 100."]}`)
		}
		res, raw := alice.fetch("DELETE", fmt.Sprintf("/blog/post/%d/", p.ID), "gzip")
		res.wantStatus(http.StatusNoContent).wantEncoding("")
		if len(raw) != 0 {
			t.Errorf("204 with a body: %q", raw)
		}
	}},
	{"DocsAreGzipped", func(t *testing.T, e *env) {
		const bundle = "/api/docs/swagger-ui-bundle.js"
		plain, plainRaw := e.anon().fetch("GET", bundle, "")
		plain.wantStatus(http.StatusOK).wantEncoding("")
		if cl := plain.header.Get("Content-Length"); cl != strconv.Itoa(len(plainRaw)) || len(plainRaw) < 1<<20 {
			t.Errorf("plain: Content-Length %q, %d bytes", cl, len(plainRaw))
		}
		gz, raw := e.anon().fetch("GET", bundle, "gzip")
		gz.wantStatus(http.StatusOK).wantEncoding("gzip")
		if !bytes.Equal(gz.body, plainRaw) {
			t.Errorf("the gunzipped bundle (%d bytes) is not the plain one (%d)", len(gz.body), len(plainRaw))
		}
		if cl := gz.header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(raw)) {
			t.Errorf("gzip: Content-Length %s of %d bytes", cl, len(raw))
		}
		if ct := gz.header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
			t.Errorf("gzip: Content-Type %q", ct)
		}
		t.Logf("%s: %d bytes, %d gzipped", bundle, len(plainRaw), len(raw))
		// Compressed once at the best level, not for each request at the
		// compression layer's fastest.
		var best bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&best, gzip.BestCompression)
		if _, err := zw.Write(plainRaw); err != nil || zw.Close() != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, best.Bytes()) {
			t.Errorf("gzip: %d bytes, not the %d of gzip's best level", len(raw), best.Len())
		}
		for ae, want := range map[string]string{
			"gzip;q=0": "", "identity": "", "deflate, br": "", "*": "",
			"x-gzip": "gzip", "br, GZIP ; q=0.5": "gzip", "gzip;q=0.001": "gzip",
		} {
			res, raw := e.anon().fetch("GET", bundle, ae)
			res.wantStatus(http.StatusOK).wantEncoding(want)
			if want == "" && !bytes.Equal(raw, plainRaw) {
				t.Errorf("%s: not the plain bundle", res.req)
			}
		}
		// An image is sent as it is.
		png, pngRaw := e.anon().fetch("GET", "/api/docs/favicon-32x32.png", "gzip")
		png.wantStatus(http.StatusOK).wantEncoding("")
		if cl := png.header.Get("Content-Length"); cl != strconv.Itoa(len(pngRaw)) {
			t.Errorf("%s: Content-Length %q of %d bytes", png.req, cl, len(pngRaw))
		}

		// Revalidation as before; HEAD answers as GET would.
		etag := plain.header.Get("ETag")
		if gz.header.Get("ETag") != etag {
			t.Errorf("ETag %q gzipped, %q plain", gz.header.Get("ETag"), etag)
		}
		res, raw := e.anon().fetch("GET", bundle, "gzip", "If-None-Match", etag)
		res.wantStatus(http.StatusNotModified).wantEncoding("")
		if len(raw) != 0 {
			t.Errorf("304 with a body of %d bytes", len(raw))
		}
		for ae, want := range map[string][]byte{"gzip": best.Bytes(), "": plainRaw} {
			res, raw = e.anon().fetch("HEAD", bundle, ae)
			res.wantStatus(http.StatusOK).wantEncoding(map[bool]string{true: "gzip"}[ae != ""])
			if cl := res.header.Get("Content-Length"); cl != strconv.Itoa(len(want)) || len(raw) != 0 {
				t.Errorf("%s: Content-Length %q, want %d; %d bytes of body", res.req, cl, len(want), len(raw))
			}
		}

		// The document, in both formats; its Vary still names Accept.
		yml, raw := e.anon().fetch("GET", "/api/schema/", "gzip")
		yml.wantStatus(http.StatusOK).wantEncoding("gzip")
		if !bytes.Equal(yml.body, api.OpenAPIDocument) || len(raw) >= len(yml.body) {
			t.Errorf("%s: not the embedded api/openapi.yaml, gzipped", yml.req)
		}
		if !varyLists(yml.header, "Accept") {
			t.Errorf("%s: Vary %q does not list Accept", yml.req, yml.header.Values("Vary"))
		}
		js, _ := e.anon().fetch("GET", "/api/schema/?format=json", "gzip")
		js.wantStatus(http.StatusOK).wantEncoding("gzip")
		_, jsPlain := e.anon().fetch("GET", "/api/schema/?format=json", "")
		if !bytes.Equal(js.body, jsPlain) {
			t.Errorf("%s: the gunzipped JSON document is not the plain one", js.req)
		}
	}},
}
