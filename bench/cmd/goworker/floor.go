package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
)

// RunFloor makes the same requests as Run over the same kind of
// connection, but with plain net/http and no decoding: bodies are read
// into a reused buffer and only scanned for what the next request needs.
// Its rate is the most any client could get from the fake over TLS, the
// floor under both SDKs' figures. The token is fetched before the clock
// starts. The auth workload has no floor (getting the token is its point).
func RunFloor(ctx context.Context, workload string, s benchenv.Settings) (benchenv.Result, error) {
	c, err := newClient(s, authScopes(workload)...)
	if err != nil {
		return benchenv.Result{}, err
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return benchenv.Result{}, err
	}
	hc, err := httpClient(s.CAFile)
	if err != nil {
		return benchenv.Result{}, err
	}
	f := &floor{hc: hc, auth: "Bearer " + tok.AccessToken}
	res := benchenv.Result{Workload: workload}
	start := time.Now()
	switch workload {
	case benchenv.Monitor:
		err = f.monitor(ctx, s, &res)
	case benchenv.Admin:
		err = f.admin(ctx, s, &res)
	case benchenv.ESign:
		err = f.esign(ctx, s, &res)
	default:
		return res, fmt.Errorf("workload %q has no floor: use monitor, admin or esign", workload)
	}
	if err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	res.PerSecond = float64(res.Events+res.Users+res.Calls) / res.Seconds
	return res, nil
}

// floor sends raw authenticated GETs.
type floor struct {
	hc   *http.Client
	auth string
	buf  bytes.Buffer
}

// get fetches url into f.buf.
func (f *floor) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", f.auth)
	req.Header.Set("Accept", "application/json")
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	f.buf.Reset()
	if _, err := f.buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.200s", req.URL.Path, resp.StatusCode, f.buf.Bytes())
	}
	return f.buf.Bytes(), nil
}

func (f *floor) monitor(ctx context.Context, s benchenv.Settings, res *benchenv.Result) error {
	cursor := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(benchenv.MonitorPageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		body, err := f.get(ctx, s.MonitorURL+"/api/v2.0/datasets/monitor/stream?"+q.Encode())
		if err != nil {
			return err
		}
		res.Requests++
		n := bytes.Count(body, []byte(`"eventId":`))
		if n == 0 {
			return nil // the empty page that ends a drain
		}
		res.Events += n
		if cursor, err = stringMember(body, "endCursor"); err != nil {
			return err
		}
	}
}

func (f *floor) admin(ctx context.Context, s benchenv.Settings, res *benchenv.Result) error {
	base := s.AdminURL + "/v2/organizations/" + url.PathEscape(s.OrgID) + "/users?"
	for start := 0; ; start += benchenv.AdminPageSize {
		q := url.Values{"account_id": {s.AccountID}, "start": {strconv.Itoa(start)}, "take": {strconv.Itoa(benchenv.AdminPageSize)}}
		body, err := f.get(ctx, base+q.Encode())
		if err != nil {
			return err
		}
		res.Requests++
		res.Users += bytes.Count(body, []byte(`"membership_id":`))
		if !bytes.Contains(body, []byte(`"next":`)) {
			return nil
		}
	}
}

func (f *floor) esign(ctx context.Context, s benchenv.Settings, res *benchenv.Result) error {
	u := s.ESignURL + "/v2.1/accounts/" + url.PathEscape(s.AccountID) + "/users/" + url.PathEscape(s.UserID)
	for range s.N {
		if _, err := f.get(ctx, u); err != nil {
			return err
		}
		res.Calls++
	}
	return nil
}

// stringMember finds the first "name":"value" in body, the way a client
// that does not decode would: good enough for the fake's compact JSON.
func stringMember(body []byte, name string) (string, error) {
	key := []byte(`"` + name + `":"`)
	i := bytes.Index(body, key)
	if i < 0 {
		return "", errors.New("no " + name + " in the response")
	}
	rest := body[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", errors.New("unterminated " + name)
	}
	return string(rest[:j]), nil
}

// authScopes are the scopes a workload's client asks for.
func authScopes(workload string) []string {
	if workload == benchenv.Admin {
		return adminScopes
	}
	return nil
}
