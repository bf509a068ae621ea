package api_test

import (
	"slices"
	"testing"
)

// TestAPI runs every behaviour of the HTTP API through the real handler on
// a real database, once per engine.
func TestAPI(t *testing.T) {
	forEachEngine(t, slices.Concat(authTests, userTests, postTests, feedTests, followTests, paginationTests, protocolTests, docsTests))
}
