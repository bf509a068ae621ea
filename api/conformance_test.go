package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/magpie-sns/magpie/api"
)

// documentRouter finds the operation of api/openapi.yaml that a request
// calls. It is built once per test binary.
var documentRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapiDocument()
	if err != nil {
		return nil, err
	}
	// The docs page and its text files are checked as strings.
	for _, mediaType := range []string{"text/html", "text/css", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(mediaType, openapi3filter.PlainBodyDecoder)
	}
	return gorillamux.NewRouter(doc)
})

// openapiDocument loads and validates api/openapi.yaml.
func openapiDocument() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument)
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(context.Background())
}

// privateOperations lists the documented operations that need
// credentials, as "METHOD /path/" with each path parameter filled in by
// one of its example values.
func privateOperations(t *testing.T) []string {
	t.Helper()
	doc, err := openapiDocument()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // security: [] is public
			}
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value.In == "path" {
					path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
				}
			}
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// checkDocumented fails the test unless the response is one that the
// document lists for the operation called: its status, its headers and its
// body, where an undocumented field is an error. HEAD and OPTIONS requests,
// 405 answers and 404s for paths with no route are described by no
// operation, so they are not checked.
func (r *response) checkDocumented(req *http.Request) {
	r.t.Helper()
	if req.Method == http.MethodHead || req.Method == http.MethodOptions || r.status == http.StatusMethodNotAllowed {
		return
	}
	router, err := documentRouter()
	if err != nil {
		r.t.Fatalf("api/openapi.yaml: %v", err)
	}
	route, params, err := router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) && !strings.HasSuffix(req.URL.Path, "/") {
		// The form without the trailing slash is served like the one with it.
		slashed := req.Clone(req.Context())
		slashed.URL.Path += "/"
		slashed.URL.RawPath = ""
		route, params, err = router.FindRoute(slashed)
	}
	if errors.Is(err, routers.ErrPathNotFound) && r.status == http.StatusNotFound {
		return
	}
	if err != nil {
		r.t.Fatalf("%s: status %d, but api/openapi.yaml has no such operation: %v", r.req, r.status, err)
	}
	options := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	// Where and what, without a dump of the whole schema.
	options.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return fmt.Sprintf("at %q: %s", "/"+strings.Join(err.JSONPointer(), "/"), err.Reason)
	})
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: options},
		Status:                 r.status,
		Header:                 r.header,
		Options:                options,
	}
	input.SetBodyBytes(r.body)
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		r.t.Fatalf("%s: the response does not match api/openapi.yaml (%s %s)\nstatus %d, body %s\n%v",
			r.req, route.Method, route.Path, r.status, r.body, err)
	}
}
