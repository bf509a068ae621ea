package api_test

import (
	"slices"
	"testing"

	"github.com/magpie-sns/magpie/postgres/postgrestest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

// TestAPI runs every behaviour of the HTTP API through the real handler on
// a real database, once per engine.
func TestAPI(t *testing.T) {
	forEachEngine(t, slices.Concat(authTests, userTests, postTests, feedTests, followTests, paginationTests, protocolTests,
		profileTests, likeTests, commentTests, searchTests, accountTests, compressionTests))
}

// TestDocs runs the behaviours of the API docs, which read no database,
// once.
func TestDocs(t *testing.T) {
	for _, tt := range docsTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newEnv(t, openSQLite(t)))
		})
	}
}
