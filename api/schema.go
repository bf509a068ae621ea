package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"

	"go.yaml.in/yaml/v4"
)

// The API documents itself: the OpenAPI document (here) and Swagger UI
// (docs.go) are embedded in the binary, so they work offline and describe
// the very binary that serves them.

//go:embed openapi.yaml
var openapiYAML []byte

// openapiJSON is the document as JSON, converted once per process. Tests
// load and validate the same bytes, so an error here is a build mistake.
var openapiJSON = sync.OnceValues(func() ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSONNode(&buf, &doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

// writeJSONNode writes a YAML node as JSON, keeping the order of mapping
// keys, so that Swagger UI lists paths and fields in the order the
// document gives them.
func writeJSONNode(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSONNode(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSONNode(buf, n.Alias)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONNode(buf, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(n.Content[i].Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSONNode(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(data)
	}
	return nil
}

// schema: GET /api/schema/, the OpenAPI document: YAML, or JSON when
// ?format=json or the Accept header asks for it.
func (a *API) schema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Add("Vary", "Accept") // Add, not Set: the server has put Accept-Encoding there
	if !wantsJSON(r) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Write(openapiYAML)
		return nil
	}
	doc, err := openapiJSON()
	if err != nil {
		return fmt.Errorf("embedded OpenAPI document: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
	return nil
}

// wantsJSON reads ?format=, then Accept: whichever of JSON and YAML it
// names first wins (quality values are not worth weighing for two types).
func wantsJSON(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "json":
		return true
	case "yaml":
		return false
	}
	for _, accepted := range strings.Split(r.Header.Get("Accept"), ",") {
		mediaType, _, _ := mime.ParseMediaType(accepted)
		switch mediaType {
		case "application/json":
			return true
		case "application/yaml", "application/x-yaml", "text/yaml":
			return false
		}
	}
	return false
}
