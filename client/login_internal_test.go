package client

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
)

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestListenLoopbackListensOnLoopbackIPsForLocalhost(t *testing.T) {
	var asked []string
	saved := listenTCP
	listenTCP = func(network, addr string) (net.Listener, error) {
		asked = append(asked, addr)
		return saved(network, addr)
	}
	t.Cleanup(func() { listenTCP = saved })

	for _, host := range []string{"localhost", "LocalHost", "127.0.0.1", "[::1]"} {
		t.Run(host, func(t *testing.T) {
			asked = nil
			port := freePort(t)
			if host == "[::1]" {
				ln, err := net.Listen("tcp6", "[::1]:0")
				if err != nil {
					t.Skip("no IPv6 loopback here:", err)
				}
				_, port, _ = net.SplitHostPort(ln.Addr().String())
				ln.Close()
			}
			ru, _ := url.Parse("http://" + host + ":" + port + "/callback")
			lns, err := listenLoopback(ru)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, ln := range lns {
					ln.Close()
				}
			}()
			// Listen was asked for literal loopback IPs only, never for a
			// name a resolver or hosts file could map elsewhere.
			for _, addr := range asked {
				h, _, err := net.SplitHostPort(addr)
				if ip := net.ParseIP(h); err != nil || ip == nil || !ip.IsLoopback() {
					t.Errorf("listened on %q, want a loopback IP", addr)
				}
			}
			if len(lns) == 0 {
				t.Fatal("no listener")
			}
			for _, ln := range lns {
				a, ok := ln.Addr().(*net.TCPAddr)
				if !ok || !a.IP.IsLoopback() || a.Port == 0 || ln.Addr().String() == "" || !strings.HasSuffix(ln.Addr().String(), ":"+port) {
					t.Errorf("listener address %v, want a loopback IP on port %s", ln.Addr(), port)
				}
			}
			if strings.EqualFold(host, "localhost") && !lns[0].Addr().(*net.TCPAddr).IP.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Errorf("localhost: first listener on %v, want 127.0.0.1", lns[0].Addr())
			}
		})
	}
}

func TestListenLoopbackRefusesAPortTakenOnIPv6Loopback(t *testing.T) {
	taken, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	ru, _ := url.Parse("http://localhost:" + port + "/callback")
	lns, err := listenLoopback(ru)
	for _, ln := range lns {
		ln.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "[::1]:"+port) {
		t.Fatalf("got %v, want an error naming [::1]:%s, which another process holds", err, port)
	}
	// 127.0.0.1 was released again.
	if ln, err := net.Listen("tcp4", "127.0.0.1:"+port); err != nil {
		t.Errorf("127.0.0.1:%s still taken after the refusal: %v", port, err)
	} else {
		ln.Close()
	}
}

func TestRedirectURIErrorsRedactCredentials(t *testing.T) {
	for _, uri := range []string{
		"https://alice:pa55word@app.example.com/cb?token=s3cr3t#frag",   // fragment
		"//alice:pa55word@app.example.com/cb?token=s3cr3t",              // not absolute
		"https://alice:pa55word@app.example.com/%zz?token=s3cr3t",       // not a URI
		"https://alice:pa55word@app.example.com:port/cb?token=s3cr3t",   // not a URI
		"mailto:alice:pa55word@app.example.com?token=s3cr3t#frag",       // opaque
		"https://alice@app.example.com/cb?token=s3cr3t&code=xyz#s3cr3t", // user only
	} {
		err := checkRedirectURI(uri)
		if err == nil {
			t.Errorf("%s: accepted", uri)
			continue
		}
		_, newErr := New(WithEnvironment(Developer()), WithIntegrationKey("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"), WithAuthorizationCode(), WithRedirectURI(uri))
		if newErr == nil {
			t.Errorf("%s: New accepted it", uri)
			continue
		}
		for _, text := range []string{err.Error(), newErr.Error()} {
			for _, secret := range []string{"alice", "pa55word", "s3cr3t", "xyz"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s: error shows %q: %s", uri, secret, text)
				}
			}
			if !strings.Contains(text, "redirect URI") {
				t.Errorf("%s: error does not name the redirect URI: %s", uri, text)
			}
		}
	}
	// What identifies the URI stays.
	err := checkRedirectURI("https://alice:pa55word@app.example.com/cb?token=s3cr3t#frag")
	if !strings.Contains(err.Error(), "https://REDACTED@app.example.com/cb?REDACTED#REDACTED") {
		t.Errorf("redacted form: %v", err)
	}
	var uerr *url.Error
	if errors.As(checkRedirectURI("https://a:b@h/%zz"), &uerr) {
		t.Error("the *url.Error, whose text quotes the URI, is kept")
	}
}
