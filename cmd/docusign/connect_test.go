package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/connect"
)

// lockedBuffer is a Writer safe for the listener's handler goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startListen runs 'connect listen' until the test ends and returns its
// URL, its stdout and stderr.
func startListen(t *testing.T, vars map[string]string, args ...string) (string, *lockedBuffer, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	e := &env{stdout: stdout, stderr: stderr, getenv: func(k string) string { return vars[k] }}
	done := make(chan int)
	go func() { done <- run(ctx, e, append([]string{"connect", "listen", "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("listen exited %d: %s", code, stderr)
		}
	})
	re := regexp.MustCompile(`listening on (https?://\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stdout, stderr
		}
		select {
		case code := <-done:
			t.Fatalf("listen exited %d: %s", code, stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("listen did not start: %s", stderr)
	return "", nil, nil
}

func post(t *testing.T, url string, body []byte, key string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-DocuSign-Signature-1", connect.Sign(key, body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestConnectListenWritesVerifiedEventsOnce(t *testing.T) {
	vars := map[string]string{"KEY_OLD": "old-secret", "KEY_NEW": "new-secret"}
	url, stdout, stderr := startListen(t, vars, "--secret-env", "KEY_OLD,KEY_NEW", "--path", "/hook")
	msg := []byte("{\n  \"event\": \"envelope-completed\",\n  \"retryCount\": 0,\n  \"generatedDateTime\": \"2026-12-01T10:00:00.0000000Z\",\n  \"data\": {\"envelopeId\": \"e1\"}\n}")
	retry := bytes.Replace(msg, []byte(`"retryCount": 0`), []byte(`"retryCount": 1`), 1)
	for _, tt := range []struct {
		body []byte
		key  string
		want int
	}{
		{msg, "new-secret", 200},
		{retry, "old-secret", 200}, // a retry, signed with the other key: a duplicate
		{msg, "wrong-secret", 401},
		{[]byte(`{"event":`), "new-secret", 400},
	} {
		if got := post(t, url, tt.body, tt.key); got != tt.want {
			t.Errorf("answer %d, want %d", got, tt.want)
		}
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 || lines[0] != `{"event":"envelope-completed","retryCount":0,"generatedDateTime":"2026-12-01T10:00:00.0000000Z","data":{"envelopeId":"e1"}}` {
		t.Fatalf("stdout %q, want the one event compacted", stdout)
	}
	if s := stderr.String(); !strings.Contains(s, "no signature matches") || strings.Contains(s, "-secret") {
		t.Errorf("stderr does not log the refusal, or shows a key: %s", s)
	}
}

// TestConnectListenAppendsToAFileAcrossRestarts: events go to --out, and
// a redelivery after a restart is recognised from the .keys file.
func TestConnectListenAppendsToAFileAcrossRestarts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "events.ndjson")
	msg := `{"event":"envelope-sent","generatedDateTime":"2026-12-01T10:00:00Z","data":{"envelopeId":"e2"}}`
	for restart := range 2 {
		t.Run("run "+strconv.Itoa(restart), func(t *testing.T) {
			url, _, _ := startListen(t, map[string]string{"K": "k"}, "--secret-env", "K", "--out", out)
			if got := post(t, url, []byte(msg), "k"); got != 200 {
				t.Fatalf("answer %d", got)
			}
		})
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != msg+"\n" {
		t.Fatalf("file %q, %v: want the event once", b, err)
	}
	if k, err := os.ReadFile(out + ".keys"); err != nil || strings.Count(string(k), "\n") != 1 {
		t.Fatalf("keys file %q, %v", k, err)
	}
}

func TestConnectListenConfigurationErrors(t *testing.T) {
	var stdout bytes.Buffer
	f := &fixture{vars: map[string]string{"SET": "a-secret-value"}}
	code, stderr := f.run(t, context.Background(), &stdout, "connect", "listen", "--secret-env", "SET,UNSET", "--basic-auth-env", "SET", "--path", "hook", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key", "--max-concurrent", "0")
	if code != exitUsage {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"UNSET unset or empty", "USER_VAR,PASSWORD_VAR", "--path \"hook\"", "--tls-cert/--tls-key: open /nonexistent.pem", "--max-concurrent 0: use a positive number"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if strings.Contains(stderr, "a-secret-value") {
		t.Error("stderr shows a secret")
	}
	code, stderr = f.run(t, context.Background(), &stdout, "connect", "listen")
	if code != exitUsage || !strings.Contains(stderr, "--secret-env") {
		t.Fatalf("without keys: exit %d: %s", code, stderr)
	}
	code, stderr = f.run(t, context.Background(), &stdout, "connect")
	if code != exitUsage || !strings.Contains(stderr, "failures") {
		t.Fatalf("without subcommand: exit %d: %s", code, stderr)
	}
}

func TestConnectFailuresListsFailedDeliveries(t *testing.T) {
	f := newFixture(t, docusigntest.WithUsers(5), docusigntest.WithEnvelopes(1), docusigntest.WithEvents(0), docusigntest.WithConnectRetry(time.Hour, 3))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	t.Cleanup(down.Close)
	acct := f.srv.DefaultAccountID()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL()+"/restapi/v2.1/accounts/"+acct+"/connect",
		strings.NewReader(`{"urlToPublishTo":"`+down.URL+`","allUsers":"true","events":["envelope-voided"]}`))
	req.Header.Set("Authorization", "Bearer "+f.srv.AccessToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create configuration: %v %v", res, err)
	}
	res.Body.Close()
	env := f.srv.Envelopes(acct)[0].ID
	if err := f.srv.SetEnvelopeStatus(env, "voided"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(f.srv.ConnectAttempts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var stdout bytes.Buffer
	code, stderr := f.run(t, context.Background(), &stdout, "connect", "failures", "--from", "24h")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		EnvelopeID string `json:"envelopeId"`
		Error      string `json:"error"`
		Status     string `json:"status"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil || got.EnvelopeID != env || !strings.Contains(got.Error, "502") {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	code, stderr = f.run(t, context.Background(), &stdout, "connect", "failures", "--to", "yesterday")
	if code != exitUsage || !strings.Contains(stderr, "--to") {
		t.Fatalf("bad --to: exit %d: %s", code, stderr)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "listener"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestConnectListenServesHTTPS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	url, stdout, _ := startListen(t, map[string]string{"K": "k"}, "--secret-env", "K", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("listening on %s", url)
	}
	body := []byte(`{"event":"envelope-sent","data":{"envelopeId":"e3"}}`)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-DocuSign-Signature-1", connect.Sign("k", body))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || strings.TrimSpace(stdout.String()) != string(body) {
		t.Fatalf("answer %d, stdout %q", res.StatusCode, stdout)
	}
}

// TestConnectListenDropsASlowBody: a client that sends headers and then
// trickles (here: stops sending) its body is cut off after the read
// timeout instead of holding the connection forever.
func TestConnectListenDropsASlowBody(t *testing.T) {
	old := listenReadTimeout
	listenReadTimeout = 200 * time.Millisecond
	t.Cleanup(func() { listenReadTimeout = old })
	u, _, _ := startListen(t, map[string]string{"K": "k"}, "--secret-env", "K")
	host := strings.TrimPrefix(u, "http://")
	host = host[:strings.IndexByte(host, '/')]
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nX-DocuSign-Signature-1: x\r\n\r\n{")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server still holds a stalled request after 10s")
			}
			return // closed by the server (after answering or not)
		}
	}
}
