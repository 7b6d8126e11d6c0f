package client

import (
	"net/url"
	"strings"
	"testing"
)

func TestConsentURLMatchesTheOfficialSDKEncoding(t *testing.T) {
	tests := []struct {
		name string
		p    ConsentParams
		want string
	}{
		{
			"developer consent for signature and impersonation",
			ConsentParams{Environment: Developer(), IntegrationKey: testIK, RedirectURI: "https://app.example.com/callback", Scopes: []string{"signature", "impersonation"}},
			"https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=" + testIK + "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback",
		},
		{
			"production consent with admin scopes and state",
			ConsentParams{Environment: Production(), IntegrationKey: testIK, RedirectURI: "http://localhost:8080/cb?x=1&y=a b", Scopes: []string{"signature", "impersonation", "organization_read", "user_read"}, State: "run 42/α"},
			"https://account.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation%20organization_read%20user_read&client_id=" + testIK +
				"&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcb%3Fx%3D1%26y%3Da%20b&state=run%2042%2F%CE%B1",
		},
		{
			"characters encodeURIComponent keeps stay unescaped",
			ConsentParams{Environment: Stage(), IntegrationKey: testIK, RedirectURI: "https://x.example/a-b_c.d!e~f*g'h(i)", Scopes: []string{"signature"}},
			"https://account-s.docusign.com/oauth/auth?response_type=code&scope=signature&client_id=" + testIK + "&redirect_uri=https%3A%2F%2Fx.example%2Fa-b_c.d!e~f*g'h(i)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConsentURL(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Contains(got, "+") {
				t.Error("URL uses + for spaces")
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if q.Get("redirect_uri") != tt.p.RedirectURI || q.Get("state") != tt.p.State || q.Get("scope") != strings.Join(tt.p.Scopes, " ") {
				t.Errorf("URL does not decode back to the inputs: %v", q)
			}
		})
	}
}

func TestConsentURLReportsEveryMissingInput(t *testing.T) {
	_, err := ConsentURL(ConsentParams{RedirectURI: "not a uri"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"OAuthURL", "integration key", "redirect URI", "scopes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestEncodeURIComponentEscapesLikeJavaScript(t *testing.T) {
	tests := map[string]string{
		"":                    "",
		"abcXYZ019":           "abcXYZ019",
		"-_.!~*'()":           "-_.!~*'()",
		" ":                   "%20",
		"+":                   "%2B",
		"/?#[]@&=:;,$":        "%2F%3F%23%5B%5D%40%26%3D%3A%3B%2C%24",
		"é":                   "%C3%A9",
		"https://a.b/c?d=e f": "https%3A%2F%2Fa.b%2Fc%3Fd%3De%20f",
	}
	for in, want := range tests {
		if got := encodeURIComponent(in); got != want {
			t.Errorf("encodeURIComponent(%q) = %q, want %q", in, got, want)
		}
	}
}
