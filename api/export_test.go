package api

// OpenAPIDocument is the embedded api/openapi.yaml, for the HTTP tests,
// which check every response against it.
var OpenAPIDocument = openapiYAML
