package client

// Option configures a Client. Options record their settings and problems;
// New validates everything at once and reports all problems together.
type Option func(*config)

// config is everything New needs. Each concern owns an embedded part,
// defined in that concern's file, plus the With... options that set it.
type config struct {
	authConfig      // auth.go: environment, credentials, token cache, account
	transportConfig // transport.go: HTTP client, retries, logging, proxy, timeouts
	pagingConfig    // readahead.go: read-ahead of the pagers

	errs []error // problems found while applying options
}

// addErr records a problem found by an option; New reports them all.
func (c *config) addErr(err error) {
	if err != nil {
		c.errs = append(c.errs, err)
	}
}
