package api

import (
	"net/http"

	"github.com/magpie-sns/magpie"
)

// OpenAPIDocument is the embedded api/openapi.yaml, for the HTTP tests,
// which check every response against it.
var OpenAPIDocument = openapiYAML

// WritePosts writes a page of posts as the feed and the other post lists
// do, for the benchmarks.
func WritePosts(w http.ResponseWriter, posts []magpie.Post) { writeList(w, posts, newPostJSON) }
