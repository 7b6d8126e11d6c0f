module github.com/dsgo/docusign

go 1.24
