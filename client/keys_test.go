package client

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKeys holds one RSA key generated per test binary (generation is slow)
// and its PEM encodings.
var testKeys struct {
	once  sync.Once
	key   *rsa.PrivateKey
	pkcs1 []byte
	pkcs8 []byte
}

func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	testKeys.once.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKeys.key = k
		testKeys.pkcs1 = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		testKeys.pkcs8 = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	return testKeys.key
}

func testPKCS1(t testing.TB) []byte { testRSAKey(t); return bytes.Clone(testKeys.pkcs1) }
func testPKCS8(t testing.TB) []byte { testRSAKey(t); return bytes.Clone(testKeys.pkcs8) }

// pemBody returns the base64 lines of a PEM block, joined without breaks.
func pemBody(p []byte) string {
	lines := strings.Split(strings.TrimSpace(string(p)), "\n")
	return strings.Join(lines[1:len(lines)-1], "")
}

func TestParsePrivateKeyRepairsDamagedKeys(t *testing.T) {
	key := testRSAKey(t)
	p1, p8 := string(testPKCS1(t)), string(testPKCS8(t))
	tests := []struct {
		name string
		in   string
	}{
		{"a clean PKCS#1 key parses", p1},
		{"a clean PKCS#8 key parses", p8},
		{"CRLF line ends are accepted", strings.ReplaceAll(p1, "\n", "\r\n")},
		{"lone CR line ends are accepted", strings.ReplaceAll(p8, "\n", "\r")},
		{"literal backslash-n sequences become newlines", strings.ReplaceAll(p1, "\n", `\n`)},
		{"literal backslash-r-backslash-n sequences become newlines", strings.ReplaceAll(p8, "\n", `\r\n`)},
		{"newlines turned into spaces are rebuilt", strings.ReplaceAll(strings.TrimSpace(p1), "\n", " ")},
		{"newlines removed entirely are rebuilt", strings.ReplaceAll(p8, "\n", "")},
		{"a missing trailing newline is fine", strings.TrimRight(p1, "\n")},
		{"surrounding double quotes and whitespace are removed", "  \"" + p1 + "\"\n"},
		{"surrounding single quotes are removed", "'" + p8 + "'"},
		{"a JSON-escaped key in quotes is repaired", `"` + strings.ReplaceAll(p1, "\n", `\n`) + `"`},
		{"indented lines from a YAML block are accepted", "    " + strings.ReplaceAll(p8, "\n", "\n    ")},
		{"a bare base64 body without BEGIN/END lines is accepted", pemBody([]byte(p1))},
		{"a PKCS#8 body under a PKCS#1 label is accepted", strings.ReplaceAll(p8, "PRIVATE KEY", "RSA PRIVATE KEY")},
		{"a certificate before the key is skipped", string(testCertPEM(t)) + p1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParsePrivateKey([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !k.key.Equal(key) {
				t.Fatal("parsed key differs from the original")
			}
		})
	}
}

func TestParsePrivateKeyClassifiesUnusableKeys(t *testing.T) {
	rsaKey := testRSAKey(t)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(edKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	//lint:ignore SA1019 building a legacy encrypted PEM on purpose
	encBlock, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), []byte("secret"), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	encPEM := string(pem.EncodeToMemory(encBlock))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p1 := string(testPKCS1(t))
	enc := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}

	tests := []struct {
		name string
		in   string
		kind KeyErrorKind
	}{
		{"empty input is KeyEmpty", "", KeyEmpty},
		{"whitespace and quotes only is KeyEmpty", "  \"\"  \n", KeyEmpty},
		{"garbage text is KeyNotPEM", "this is not a key", KeyNotPEM},
		{"a legacy encrypted PKCS#1 key is KeyEncrypted", encPEM, KeyEncrypted},
		{"an encrypted key with newlines as spaces is KeyEncrypted", strings.ReplaceAll(strings.TrimSpace(encPEM), "\n", " "), KeyEncrypted},
		{"a PKCS#8 ENCRYPTED PRIVATE KEY is KeyEncrypted", enc("ENCRYPTED PRIVATE KEY", bytes.Repeat([]byte{1}, 300)), KeyEncrypted},
		{"an EC PRIVATE KEY is KeyNotRSA", enc("EC PRIVATE KEY", ecDER), KeyNotRSA},
		{"a PKCS#8 EC key is KeyNotRSA", enc("PRIVATE KEY", ecPKCS8), KeyNotRSA},
		{"a PKCS#8 Ed25519 key is KeyNotRSA", enc("PRIVATE KEY", edPKCS8), KeyNotRSA},
		{"a PUBLIC KEY is KeyPublic", enc("PUBLIC KEY", pubDER), KeyPublic},
		{"an RSA PUBLIC KEY is KeyPublic", enc("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)), KeyPublic},
		{"a bare base64 public key is KeyPublic", base64.StdEncoding.EncodeToString(pubDER), KeyPublic},
		{"a CERTIFICATE is KeyCertificate", string(testCertPEM(t)), KeyCertificate},
		{"a PUBLIC KEY with a damaged body is still KeyPublic", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----", KeyPublic},
		{"a certificate chain with its public key is KeyCertificate", enc("PUBLIC KEY", pubDER) + string(testCertPEM(t)), KeyCertificate},
		{"an OpenSSH private key is KeyUnsupportedFormat", enc("OPENSSH PRIVATE KEY", bytes.Repeat([]byte{2}, 200)), KeyUnsupportedFormat},
		{"a truncated key is KeyMalformed", p1[:len(p1)/2], KeyMalformed},
		{"a key with a corrupted body is KeyMalformed", strings.Replace(p1, "\n", "\nAAAA", 3), KeyMalformed},
		{"a 1024-bit RSA key is KeyTooSmall", enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), KeyTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePrivateKey([]byte(tt.in))
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %v (%T) is not a *KeyError", err, err)
			}
			if ke.Kind != tt.kind {
				t.Fatalf("Kind = %v, want %v (error: %v)", ke.Kind, tt.kind, err)
			}
			if !errors.Is(err, &KeyError{Kind: tt.kind}) {
				t.Error("errors.Is with a KeyError of the same Kind is false")
			}
			if body := pemBody(testPKCS1(t)); strings.Contains(err.Error(), body[40:80]) {
				t.Error("error message contains key material")
			}
		})
	}
}

// testCertPEM returns a self-signed certificate for the test key.
func testCertPEM(t testing.TB) []byte {
	t.Helper()
	key := testRSAKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<31, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestLoadPrivateKeyFileReadsAndReportsThePath(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(good, testPKCS8(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivateKeyFile(good); err != nil {
		t.Fatalf("LoadPrivateKeyFile: %v", err)
	}
	missing := filepath.Join(dir, "missing.pem")
	_, err := LoadPrivateKeyFile(missing)
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Kind != KeyUnreadable || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing file: got %v, want KeyUnreadable naming the path", err)
	}
}

func TestLoadPrivateKeyEnvRepairsEscapedNewlines(t *testing.T) {
	t.Setenv("DSGO_TEST_KEY", strings.ReplaceAll(string(testPKCS1(t)), "\n", `\n`))
	if _, err := LoadPrivateKeyEnv("DSGO_TEST_KEY"); err != nil {
		t.Fatalf("LoadPrivateKeyEnv: %v", err)
	}
	_, err := LoadPrivateKeyEnv("DSGO_TEST_KEY_UNSET_4711")
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Kind != KeyUnreadable || !strings.Contains(err.Error(), "DSGO_TEST_KEY_UNSET_4711") {
		t.Fatalf("unset variable: got %v, want KeyUnreadable naming the variable", err)
	}
}

func TestPrivateKeyNeverPrintsKeyMaterial(t *testing.T) {
	k, err := ParsePrivateKey(testPKCS1(t))
	if err != nil {
		t.Fatal(err)
	}
	secret := k.key.D.String()[:30]
	body := pemBody(testPKCS1(t))[60:100]
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("key", "k", k)
	js, _ := json.Marshal(struct{ K *PrivateKey }{k})
	outputs := map[string]string{
		"%v":            fmt.Sprintf("%v", k),
		"%+v":           fmt.Sprintf("%+v", k),
		"%#v":           fmt.Sprintf("%#v", k),
		"%s":            fmt.Sprintf("%s", k),
		"%x":            fmt.Sprintf("%x", k),
		"%+v in struct": fmt.Sprintf("%+v", struct{ K *PrivateKey }{k}),
		"%#v in struct": fmt.Sprintf("%#v", struct{ K *PrivateKey }{k}),
		"slog":          logBuf.String(),
		"json":          string(js),
	}
	for name, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(out, body) || strings.Contains(out, "BEGIN") {
			t.Errorf("%s output contains key material: %s", name, out)
		}
		if !strings.Contains(out, "redacted") {
			t.Errorf("%s output %q does not say it is redacted", name, out)
		}
	}
}

func TestNewPrivateKeyRejectsNilAndSmallKeys(t *testing.T) {
	if _, err := NewPrivateKey(nil); !errors.Is(err, &KeyError{Kind: KeyEmpty}) {
		t.Errorf("nil key: got %v, want KeyEmpty", err)
	}
	k, err := NewPrivateKey(testRSAKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if k.Bits() != 2048 || !strings.HasPrefix(k.Fingerprint(), "SHA256:") || !k.Public().Equal(&testRSAKey(t).PublicKey) {
		t.Errorf("unexpected key description: bits=%d fingerprint=%s", k.Bits(), k.Fingerprint())
	}
}

func BenchmarkParsePrivateKeyDamaged(b *testing.B) {
	in := []byte(`"` + strings.ReplaceAll(string(testPKCS1(b)), "\n", `\n`) + `"`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePrivateKey(in); err != nil {
			b.Fatal(err)
		}
	}
}
