// Package sdk reads the API surface that an official DocuSign SDK package
// declares (the npm tarball of docusign-esign: src/api/*.js and
// src/model/*.js) and merges what the pinned Swagger document lacks into
// it before conversion. Only facts are read (paths, methods, parameter and
// member names, types); no code or prose of the SDK is kept.
package sdk
