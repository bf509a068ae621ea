package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/magpie-sns/magpie/api"
)

var docsTests = []apiTest{
	{"SchemaIsYAMLByDefault", func(t *testing.T, e *env) {
		for _, path := range []string{"/api/schema/", "/api/schema", "/api/schema/?format=yaml"} {
			res := e.anon().get(path).wantStatus(http.StatusOK)
			if ct := res.header.Get("Content-Type"); ct != "application/yaml; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
			if !bytes.Equal(res.body, api.OpenAPIDocument) {
				t.Errorf("%s: the body is not the embedded api/openapi.yaml", path)
			}
		}
		res := e.anon().do("GET", "/api/schema/?format=yaml", nil, "Accept", "application/json")
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
			t.Errorf("?format=yaml with Accept: application/json: Content-Type %q", ct)
		}
	}},
	{"SchemaAsJSONSaysTheSame", func(t *testing.T, e *env) {
		var fromYAML any
		if err := yaml.Unmarshal(api.OpenAPIDocument, &fromYAML); err != nil {
			t.Fatal(err)
		}
		want := normalJSON(t, fromYAML)
		for _, res := range []*response{
			e.anon().get("/api/schema/?format=json"),
			e.anon().do("GET", "/api/schema/", nil, "Accept", "application/json"),
			e.anon().do("GET", "/api/schema/", nil, "Accept", "text/html, application/json;q=0.9, */*;q=0.8"),
		} {
			var fromJSON any
			res.wantStatus(http.StatusOK).decode(&fromJSON)
			if got := normalJSON(t, fromJSON); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: the JSON document differs from api/openapi.yaml", res.req)
			}
		}
	}},
	{"DocsPage", func(t *testing.T, e *env) {
		for _, path := range []string{"/api/docs/", "/api/docs"} {
			res := e.anon().get(path).wantStatus(http.StatusOK)
			if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
			if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("%s: Content-Security-Policy %q", path, csp)
			}
			// Every file the page loads is served, with its type.
			refs := regexp.MustCompile(`(?:src|href)="(/[^"]*)"`).FindAllSubmatch(res.body, -1)
			if len(refs) < 4 {
				t.Fatalf("%s: the page loads only %q", path, refs)
			}
			for _, ref := range refs {
				e.anon().get(string(ref[1])).wantStatus(http.StatusOK)
			}
		}
	}},
	{"DocsAssets", func(t *testing.T, e *env) {
		for asset, want := range map[string]string{
			"init.js":              "text/javascript; charset=utf-8",
			"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
			"swagger-ui.css":       "text/css; charset=utf-8",
			"favicon-32x32.png":    "image/png",
			"LICENSE":              "text/plain; charset=utf-8",
		} {
			res := e.anon().get("/api/docs/" + asset).wantStatus(http.StatusOK)
			if ct := res.header.Get("Content-Type"); ct != want {
				t.Errorf("%s: Content-Type %q, want %q", asset, ct, want)
			}
			if res.header.Get("Content-Security-Policy") == "" || res.header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: headers %v", asset, res.header)
			}
			etag := res.header.Get("ETag")
			e.anon().do("GET", "/api/docs/"+asset, nil, "If-None-Match", etag).wantStatus(http.StatusNotModified)
			e.anon().do("GET", "/api/docs/"+asset, nil, "If-None-Match", `"stale"`).wantStatus(http.StatusOK)
		}
		initJS := e.anon().get("/api/docs/init.js")
		if !bytes.Contains(initJS.body, []byte(`"/api/schema/?format=json"`)) {
			t.Errorf("init.js does not load the JSON document:\n%s", initJS.body)
		}
		for _, path := range []string{"/api/docs/nope.js", "/api/docs/index.html", "/api/docs/..%2fopenapi.yaml"} {
			e.anon().get(path).wantError(http.StatusNotFound, `{"detail": "Not found."}`)
		}
	}},
}

// normalJSON makes YAML- and JSON-decoded documents comparable: numbers
// become float64 either way.
func normalJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
