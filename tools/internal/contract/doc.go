// Package contract holds the contract check of the fake DocuSign
// (client/docusigntest): its test replays a broad scenario through
// client.New and the generated clients against the fake and validates
// every request and every response against the pinned specs, converted to
// OpenAPI 3 by the generator's own pipeline. It lives in the tools module
// so that kin-openapi stays out of the library's go.mod.
package contract
