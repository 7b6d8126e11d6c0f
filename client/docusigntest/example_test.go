package docusigntest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dsgo/docusign/client/docusigntest"
)

// A test starts the fake, points the client at it with Environment, and
// authenticates with an integration whose consent is already granted.
func Example() {
	srv := docusigntest.NewServer(docusigntest.WithUsers(150), docusigntest.WithEvents(2500))
	defer srv.Close()

	env := srv.Environment()
	fmt.Println(env.Name, env.ESignatureURL == srv.URL()+"/restapi", env.OAuthHost() == srv.OAuthHost())

	// The JWT grant, as a client performs it.
	in := srv.NewIntegration()
	res, err := http.PostForm(env.OAuthURL+"/oauth/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {srv.NewAssertion(in, "signature", "impersonation")},
	})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	fmt.Println("expires_in", tok.ExpiresIn)

	// One Monitor page.
	req, _ := http.NewRequest("GET", env.MonitorURL+"/api/v2.0/datasets/monitor/stream?limit=2000", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var page struct {
		EndCursor string            `json:"endCursor"`
		Data      []json.RawMessage `json:"data"`
	}
	json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()
	fmt.Println(len(page.Data), "events; next cursor resumes at", page.EndCursor == srv.MonitorCursor(2000))
	// Output:
	// docusigntest true true
	// expires_in 3600
	// 2000 events; next cursor resumes at true
}

// InjectFault makes the next requests fail the way production sometimes
// does; each fault fires exactly Count times.
func ExampleServer_InjectFault() {
	srv := docusigntest.NewServer(docusigntest.WithUsers(10))
	defer srv.Close()
	f := srv.InjectFault(docusigntest.Fault{PathPrefix: "/restapi/", Count: 2, Status: http.StatusServiceUnavailable})

	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("GET", srv.Environment().ESignatureURL+"/v2.1/accounts/"+srv.DefaultAccountID(), nil)
		req.Header.Set("Authorization", "Bearer "+srv.AccessToken())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	fmt.Println("fired", f.Fired())
	// Output:
	// 503
	// 503
	// 200
	// fired 2
}

// IssueToken skips the OAuth flow for tests about something else.
func ExampleServer_IssueToken() {
	srv := docusigntest.NewServer(docusigntest.WithSeed(3), docusigntest.WithUsers(5))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL()+"/oauth/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+srv.IssueToken(srv.DefaultUserID(), "signature"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var info struct {
		Sub string `json:"sub"`
	}
	json.NewDecoder(res.Body).Decode(&info)
	fmt.Println(strings.EqualFold(info.Sub, srv.DefaultUserID()))
	// Output: true
}
