package api

import (
	"maps"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadDocument loads the embedded document and fails the test, loudly, if
// it is not valid OpenAPI. Validation includes every example against its
// schema.
func loadDocument(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		t.Fatalf("api/openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("api/openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadDocument(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi: %q, want 3.0.3", doc.OpenAPI)
	}
	if _, err := openapiJSON(); err != nil {
		t.Fatalf("the document does not convert to JSON: %v", err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || len(op.Tags) == 0 || op.Summary == "" {
				t.Errorf("%s %s: needs an operationId, a tag and a summary", method, path)
			}
		}
	}
}

// TestOpenAPIMatchesRoutes fails when routeTable and the document drift
// apart, in either direction.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	documented := map[string]bool{}
	for path, item := range loadDocument(t).Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range (&API{}).routeTable() {
		routed[rt.method+" "+rt.pattern] = true
	}
	for _, op := range slices.Sorted(maps.Keys(routed)) {
		if !documented[op] {
			t.Errorf("route %s is not in api/openapi.yaml", op)
		}
	}
	for _, op := range slices.Sorted(maps.Keys(documented)) {
		if !routed[op] {
			t.Errorf("api/openapi.yaml documents %s, which routeTable does not serve", op)
		}
	}
}

// TestOpenAPIListsTheDocsAssets: the enum of the asset parameter is the set
// of files served under /api/docs/.
func TestOpenAPIListsTheDocsAssets(t *testing.T) {
	op := loadDocument(t).Paths.Value("/api/docs/{asset}").Get
	param := op.Parameters.GetByInAndName("path", "asset")
	var documented []string
	for _, v := range param.Schema.Value.Enum {
		documented = append(documented, v.(string))
	}
	slices.Sort(documented)
	served := slices.Sorted(maps.Keys(docsAssets))
	if !slices.Equal(documented, served) {
		t.Errorf("api/openapi.yaml lists assets %q, the server serves %q", documented, served)
	}
}
