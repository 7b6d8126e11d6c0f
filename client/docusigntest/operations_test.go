package docusigntest

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// genOperation is one operation of the generated clients.
type genOperation struct {
	api, name, method, path string
}

var opCommentRE = regexp.MustCompile(`(?m)^// DocuSign (eSignature|Admin|Monitor) operation (\S+) \(([A-Z]+) (/[^)]*)\)`)

// generatedOperations lists every operation of gen/, from the facts the
// generator writes above each request builder.
func generatedOperations(t *testing.T) []genOperation {
	t.Helper()
	files, err := filepath.Glob("../../gen/*/*.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../gen/*/*/*.gen.go")
	files = append(files, more...)
	seen := map[string]bool{}
	var ops []genOperation
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range opCommentRE.FindAllStringSubmatch(string(b), -1) {
			op := genOperation{api: m[1], name: m[2], method: m[3], path: m[4]}
			if k := op.method + " " + op.api + op.path; !seen[k] {
				seen[k] = true
				ops = append(ops, op)
			}
		}
	}
	if len(ops) < 400 {
		t.Fatalf("found %d operations in gen/, expected the whole surface (400+)", len(ops))
	}
	return ops
}

var pathParamRE = regexp.MustCompile(`\{[^}]+\}`)

// requestPath fills an operation's path for the fake: real account and
// organization IDs, a GUID nobody has for everything else.
func (s *Server) requestPath(op genOperation) string {
	p := pathParamRE.ReplaceAllStringFunc(op.path, func(param string) string {
		switch param {
		case "{accountId}":
			return s.DefaultAccountID()
		case "{organizationId}", "{orgId}":
			return s.OrgID()
		case "{dataSetName}":
			return "monitor"
		}
		return "00000000-0000-4000-8000-00000000000f"
	})
	switch op.api {
	case "eSignature":
		return "/restapi" + p
	case "Admin":
		return "/management" + p
	}
	return p
}

// lookupCodes are the error codes a served operation may answer 404 with:
// it looked the resource up and it does not exist.
var lookupCodes = []string{"ENVELOPE_DOES_NOT_EXIST", "USER_DOES_NOT_EXIST_IN_SYSTEM", "TEMPLATE_NOT_FOUND", "not_found",
	"INVALID_CONNECT_CONFIGURATION_ID", "INVALID_CONNECT_FAILURE_ID"}

func TestEveryGeneratedOperationIsServedOrAnswers501NamingItself(t *testing.T) {
	srv := newTestServer(t, WithUsers(20), WithEvents(10), WithEnvelopes(3))
	tok := srv.IssueToken(srv.DefaultUserID(), "signature", "impersonation", "organization_read", "user_read", "user_write")
	served, unserved := 0, 0
	for _, op := range generatedOperations(t) {
		path := srv.requestPath(op)
		var body string
		if op.method == "POST" || op.method == "PUT" || op.method == "DELETE" {
			body = "{}"
		}
		r := do(t, srv, op.method, path, tok, strings.NewReader(body), "Content-Type", "application/json")
		req, _ := http.NewRequest(op.method, srv.URL()+path, nil)
		_, pattern := srv.mux.Handler(req)
		implemented := pattern != "/" && !slices.Contains(shadowedOperations, pattern)
		name := op.method + " " + path + " (" + op.name + ")"
		if implemented && op.api != "Monitor" { // the fake serves datasets/{dataset}, the spec names monitor
			_, patPath, _ := strings.Cut(pattern, " ")
			template := strings.TrimSuffix(srv.requestPath(genOperation{api: op.api, path: "\x00"}), "\x00") + op.path
			if pathParamRE.ReplaceAllString(patPath, "{}") != pathParamRE.ReplaceAllString(template, "{}") {
				t.Errorf("%s is caught by the fake's route %q: list %s %s in shadowedOperations", name, pattern, op.method, template)
				continue
			}
		}
		if !implemented {
			unserved++
			if r.status != http.StatusNotImplemented || !strings.Contains(string(r.body), op.method+" "+path) || !strings.Contains(string(r.body), "does not serve") {
				t.Errorf("%s: unserved operation answered %d %s, want 501 naming it", name, r.status, r.body)
			}
			continue
		}
		served++
		if r.status == http.StatusNotImplemented {
			t.Errorf("%s: served operation answered 501", name)
		}
		if r.status == http.StatusNotFound {
			var e struct {
				ErrorCode string `json:"errorCode"`
				Error     string `json:"error"`
			}
			json.Unmarshal(r.body, &e)
			if !slices.Contains(lookupCodes, e.ErrorCode+e.Error) {
				t.Errorf("%s: 404 without a resource lookup: %s", name, r.body)
			}
		}
	}
	t.Logf("%d generated operations served by the fake, %d answer 501", served, unserved)
	if served < 30 {
		t.Errorf("only %d operations served", served)
	}
}

func TestHandleAddsARouteBehindAuthFaultsAndTheLog(t *testing.T) {
	srv := newTestServer(t, WithUsers(5), WithEvents(0), WithEnvelopes(0))
	path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes/e1/lock"
	srv.HandleFunc("GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/lock", func(w http.ResponseWriter, r *http.Request) {
		c, ok := CallerOf(r)
		if !ok {
			t.Error("CallerOf found no caller")
		}
		writeJSON(w, http.StatusOK, map[string]string{"lockedByUser": c.User.ID, "envelopeId": r.PathValue("envelopeId")})
	})
	wantStatus(t, get(t, srv, path, "bogus"), http.StatusUnauthorized)
	r := get(t, srv, path, srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), srv.DefaultUserID()) || !strings.Contains(string(r.body), `"envelopeId":"e1"`) {
		t.Errorf("body %s", r.body)
	}
	srv.FailNext(path, 1, http.StatusServiceUnavailable)
	wantStatus(t, get(t, srv, path, srv.AccessToken()), http.StatusServiceUnavailable)
	if n := len(srv.RequestsTo(path)); n != 3 {
		t.Errorf("%d logged requests to the added route, want 3", n)
	}
	// The added handler takes precedence over the fake's own.
	srv.HandleFunc("GET /restapi/v2.1/accounts/{accountId}/settings", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"mine": "true"})
	})
	r = get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/settings", srv.AccessToken())
	if !strings.Contains(string(r.body), `"mine"`) {
		t.Errorf("settings body %s, want the added handler's", r.body)
	}
}
