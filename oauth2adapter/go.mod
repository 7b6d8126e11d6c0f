module github.com/dsgo/docusign/oauth2adapter

go 1.24.0

require (
	github.com/dsgo/docusign v0.0.0
	golang.org/x/oauth2 v0.34.0
)

require github.com/golang-jwt/jwt/v5 v5.3.1 // indirect

replace github.com/dsgo/docusign => ../
