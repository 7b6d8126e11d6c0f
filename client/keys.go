package client

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"strings"
)

// KeyErrorKind classifies why a private key could not be used.
type KeyErrorKind int

// The kinds of private key problems, each with its own fix.
const (
	// KeyEmpty: no key material at all (empty file, unset variable).
	KeyEmpty KeyErrorKind = iota + 1
	// KeyNotPEM: the input is not PEM and not a bare base64 key.
	KeyNotPEM
	// KeyEncrypted: the key is protected by a passphrase.
	KeyEncrypted
	// KeyNotRSA: the key is an EC, Ed25519 or other non-RSA key.
	KeyNotRSA
	// KeyPublic: a public key was given where the private key is needed.
	KeyPublic
	// KeyCertificate: a certificate was given instead of the private key.
	KeyCertificate
	// KeyUnsupportedFormat: a private key in a format other than PKCS#1 or
	// PKCS#8 PEM, such as an OpenSSH key.
	KeyUnsupportedFormat
	// KeyMalformed: PEM markers are present but the content is damaged.
	KeyMalformed
	// KeyTooSmall: an RSA key shorter than 2048 bits.
	KeyTooSmall
	// KeyUnreadable: the file or environment variable could not be read.
	KeyUnreadable
)

var keyKindNames = map[KeyErrorKind]string{
	KeyEmpty:             "empty",
	KeyNotPEM:            "not PEM",
	KeyEncrypted:         "encrypted",
	KeyNotRSA:            "not RSA",
	KeyPublic:            "public key",
	KeyCertificate:       "certificate",
	KeyUnsupportedFormat: "unsupported format",
	KeyMalformed:         "malformed",
	KeyTooSmall:          "too small",
	KeyUnreadable:        "unreadable",
}

// String names the kind, e.g. "encrypted".
func (k KeyErrorKind) String() string {
	if s, ok := keyKindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("KeyErrorKind(%d)", int(k))
}

// keyKindFixes tells the user what to do for each kind.
var keyKindFixes = map[KeyErrorKind]string{
	KeyEmpty:             "paste the RSA private key generated for the integration key (Apps and Keys > Add RSA keypair)",
	KeyNotPEM:            "expected a PEM block starting with -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----",
	KeyEncrypted:         "remove the passphrase, e.g. `openssl pkey -in key.pem -out plain.pem` (DocuSign generates unencrypted keys)",
	KeyNotRSA:            "DocuSign JWT grant signs with RS256 and needs an RSA key; generate an RSA keypair for the integration key",
	KeyPublic:            "this is the public half; use the private key shown once when the keypair was generated",
	KeyCertificate:       "this is a certificate; use the RSA private key instead",
	KeyUnsupportedFormat: "convert it to PEM, e.g. `ssh-keygen -p -m PEM -f key` or `openssl pkey -in key -out key.pem`",
	KeyMalformed:         "the key text is damaged or truncated; copy the whole key again including the BEGIN and END lines",
	KeyTooSmall:          "generate a 2048-bit RSA keypair for the integration key",
	KeyUnreadable:        "check the path or variable name and its permissions",
}

// KeyError reports a private key that cannot be used for the JWT grant. It
// never contains key material.
type KeyError struct {
	// Kind classifies the problem.
	Kind KeyErrorKind
	// Source names where the key came from: "WithPrivateKey",
	// "file /path/key.pem" or "environment variable NAME".
	Source string
	// Detail adds specifics, e.g. the PEM block type that was found.
	Detail string
	// Err is the underlying error, if any (never containing key bytes).
	Err error
}

// Error describes the problem and its fix.
func (e *KeyError) Error() string {
	var b strings.Builder
	b.WriteString("docusign: private key")
	if e.Source != "" {
		b.WriteString(" from ")
		b.WriteString(e.Source)
	}
	b.WriteString(" is ")
	b.WriteString(e.Kind.String())
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if fix := keyKindFixes[e.Kind]; fix != "" {
		b.WriteString(": ")
		b.WriteString(fix)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *KeyError) Unwrap() error { return e.Err }

// Is reports whether target is a *KeyError of the same Kind, so that
// errors.Is(err, &client.KeyError{Kind: client.KeyEncrypted}) works.
func (e *KeyError) Is(target error) bool {
	t, ok := target.(*KeyError)
	return ok && t.Kind == e.Kind && t.Source == "" && t.Detail == "" && t.Err == nil
}

// PrivateKey is an RSA private key for the JWT grant. Its String, GoString,
// Format and LogValue methods never reveal key material, so it is safe to
// keep in structs that get logged.
type PrivateKey struct {
	key         *rsa.PrivateKey
	fingerprint string
}

// NewPrivateKey wraps an RSA key the caller already holds (for example from
// a secrets manager SDK).
func NewPrivateKey(key *rsa.PrivateKey) (*PrivateKey, error) {
	if key == nil {
		return nil, &KeyError{Kind: KeyEmpty, Source: "NewPrivateKey"}
	}
	if key.N.BitLen() < 2048 {
		return nil, &KeyError{Kind: KeyTooSmall, Source: "NewPrivateKey", Detail: fmt.Sprintf("%d bits", key.N.BitLen())}
	}
	if err := key.Validate(); err != nil {
		return nil, &KeyError{Kind: KeyMalformed, Source: "NewPrivateKey", Err: err}
	}
	return &PrivateKey{key: key, fingerprint: publicFingerprint(&key.PublicKey)}, nil
}

// publicFingerprint is "SHA256:" plus the unpadded base64 SHA-256 of the
// PKIX public key, the form OpenSSH and many consoles show.
func publicFingerprint(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// Bits is the key size in bits.
func (k *PrivateKey) Bits() int { return k.key.N.BitLen() }

// Fingerprint identifies the key pair without revealing it: the SHA-256 of
// the public key, comparable across runs and machines.
func (k *PrivateKey) Fingerprint() string { return k.fingerprint }

// Public returns the public half, e.g. to compare with the key registered
// for the integration key.
func (k *PrivateKey) Public() *rsa.PublicKey { return &k.key.PublicKey }

// String describes the key without key material.
func (k *PrivateKey) String() string {
	if k == nil || k.key == nil {
		return "PrivateKey(<nil>)"
	}
	return fmt.Sprintf("PrivateKey(RSA-%d %s, redacted)", k.Bits(), k.fingerprint)
}

// GoString is String, so %#v does not reveal key material either.
func (k *PrivateKey) GoString() string { return k.String() }

// Format prints String for every verb.
func (k *PrivateKey) Format(f fmt.State, verb rune) { formatRedacted(f, verb, k.String()) }

// LogValue keeps key material out of slog output.
func (k *PrivateKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalText keeps key material out of JSON and text encodings.
func (k *PrivateKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// formatRedacted writes s for any fmt verb (quoted for %q).
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = fmt.Sprintf("%q", s)
	}
	_, _ = f.Write([]byte(s))
}

// ParsePrivateKey parses a PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE
// KEY") PEM RSA private key. It repairs the damage keys typically suffer in
// configuration UIs and environment variables: surrounding quotes and
// whitespace, literal \n sequences, CRLF line ends, line breaks turned into
// spaces, a missing trailing newline, and a bare base64 body without the
// BEGIN/END lines. Keys that cannot be used yield a *KeyError whose Kind says
// why.
func ParsePrivateKey(pemData []byte) (*PrivateKey, error) {
	return parsePrivateKey(pemData, "")
}

// LoadPrivateKeyFile reads and parses a PEM private key file (see
// ParsePrivateKey).
func LoadPrivateKeyFile(path string) (*PrivateKey, error) {
	src := "file " + path
	data, err := os.ReadFile(path)
	if err != nil {
		// The *PathError names the path and the cause, never content.
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &KeyError{Kind: KeyUnreadable, Source: src, Detail: "no such file"}
		}
		return nil, &KeyError{Kind: KeyUnreadable, Source: src, Err: err}
	}
	return parsePrivateKey(data, src)
}

// LoadPrivateKeyEnv parses the PEM private key held in environment variable
// name (see ParsePrivateKey for the damage it repairs).
func LoadPrivateKeyEnv(name string) (*PrivateKey, error) {
	src := "environment variable " + name
	v, ok := os.LookupEnv(name)
	if !ok {
		return nil, &KeyError{Kind: KeyUnreadable, Source: src, Detail: "not set"}
	}
	return parsePrivateKey([]byte(v), src)
}

var (
	pemBeginRE = regexp.MustCompile(`-----\s*BEGIN ([A-Z0-9 ]+?)\s*-----`)
	spaceRE    = regexp.MustCompile(`\s+`)
)

// normalizePEM undoes common transport damage and returns clean PEM text.
func normalizePEM(data []byte) string {
	s := string(data)
	// Surrounding whitespace and quotes, possibly nested ("'...'" or ' "..." ').
	for {
		t := strings.TrimSpace(s)
		if len(t) >= 2 && (t[0] == '"' || t[0] == '\'') && t[len(t)-1] == t[0] {
			t = t[1 : len(t)-1]
		}
		if t == s {
			break
		}
		s = t
	}
	// Escaped line breaks written literally by JSON, .env files or shells.
	s = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "\n").Replace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return s
}

// rebuildPEM re-wraps every BEGIN/END block found in s with proper line
// breaks, so keys whose newlines became spaces (or vanished) parse again.
// Header lines (Proc-Type, DEK-Info) are kept on their own lines.
func rebuildPEM(s string) string {
	var out strings.Builder
	rest := s
	for {
		loc := pemBeginRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		typ := rest[loc[2]:loc[3]]
		afterBegin := rest[loc[1]:]
		endRE := regexp.MustCompile(`-----\s*END ` + regexp.QuoteMeta(typ) + `\s*-----`)
		endLoc := endRE.FindStringIndex(afterBegin)
		if endLoc == nil {
			// Truncated: keep what there is so the parser reports it.
			out.WriteString("-----BEGIN " + typ + "-----\n")
			out.WriteString(wrap64(spaceRE.ReplaceAllString(afterBegin, "")))
			out.WriteString("-----END " + typ + "-----\n")
			break
		}
		body := afterBegin[:endLoc[0]]
		out.WriteString("-----BEGIN " + typ + "-----\n")
		// PEM headers ("Name: value") precede the base64 body; with lost
		// newlines they run into it, so cut them off at known names.
		body = strings.TrimSpace(body)
		var headers []string
		for _, h := range []string{"Proc-Type:", "DEK-Info:"} {
			if strings.HasPrefix(body, h) {
				rest := strings.TrimSpace(body[len(h):])
				end := strings.IndexAny(rest, " \n\t")
				if end < 0 {
					end = len(rest)
				}
				headers = append(headers, h+" "+rest[:end])
				body = strings.TrimSpace(rest[end:])
			}
		}
		if len(headers) > 0 {
			out.WriteString(strings.Join(headers, "\n") + "\n\n")
		}
		out.WriteString(wrap64(spaceRE.ReplaceAllString(body, "")))
		out.WriteString("-----END " + typ + "-----\n")
		rest = afterBegin[endLoc[1]:]
	}
	return out.String()
}

// wrap64 splits base64 text into 64-character lines, each ending in \n.
func wrap64(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64])
		b.WriteByte('\n')
		s = s[64:]
	}
	if s != "" {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// parsePrivateKey implements ParsePrivateKey with a source for messages.
func parsePrivateKey(data []byte, source string) (*PrivateKey, error) {
	kerr := func(kind KeyErrorKind, detail string, err error) error {
		return &KeyError{Kind: kind, Source: source, Detail: detail, Err: err}
	}
	s := normalizePEM(data)
	if strings.TrimSpace(s) == "" {
		return nil, kerr(KeyEmpty, "", nil)
	}
	var blocks []*pem.Block
	if pemBeginRE.MatchString(s) {
		rest := []byte(rebuildPEM(s))
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			blocks = append(blocks, b)
		}
		if len(blocks) == 0 {
			// Undecodable base64: the labels still tell what was pasted.
			for _, m := range pemBeginRE.FindAllStringSubmatch(s, -1) {
				if kind, ok := labelKind(m[1]); ok {
					return nil, kerr(kind, "found "+m[1], nil)
				}
			}
			return nil, kerr(KeyMalformed, "PEM block could not be decoded", nil)
		}
	} else {
		// A bare base64 body without BEGIN/END lines.
		der, err := base64.StdEncoding.DecodeString(spaceRE.ReplaceAllString(s, ""))
		if err != nil || len(der) < 64 {
			return nil, kerr(KeyNotPEM, "no -----BEGIN line found", nil)
		}
		blocks = []*pem.Block{{Type: "", Bytes: der}}
	}

	// Prefer a private key block; otherwise explain what was found.
	var found []string
	for _, b := range blocks {
		switch b.Type {
		case "RSA PRIVATE KEY", "PRIVATE KEY", "":
			if _, enc := b.Headers["Proc-Type"]; enc && strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
				return nil, kerr(KeyEncrypted, "PEM Proc-Type ENCRYPTED", nil)
			}
			return privateKeyFromDER(b.Type, b.Bytes, kerr)
		}
		if kind, ok := labelKind(b.Type); ok && kind != KeyCertificate && kind != KeyPublic {
			return nil, kerr(kind, "found "+b.Type, nil)
		}
		found = append(found, b.Type)
	}
	// No private key: report a certificate before a public key, since a
	// bundle with both is most likely a certificate chain.
	for _, want := range []KeyErrorKind{KeyCertificate, KeyPublic} {
		for _, t := range found {
			if kind, ok := labelKind(t); ok && kind == want {
				return nil, kerr(kind, "found "+t, nil)
			}
		}
	}
	return nil, kerr(KeyNotPEM, "found PEM block(s) "+strings.Join(found, ", ")+" but no private key", nil)
}

// labelKind classifies PEM labels that cannot hold a usable RSA key.
func labelKind(label string) (KeyErrorKind, bool) {
	switch {
	case label == "ENCRYPTED PRIVATE KEY" || label == "SSH2 ENCRYPTED PRIVATE KEY":
		return KeyEncrypted, true
	case label == "EC PRIVATE KEY" || label == "DSA PRIVATE KEY":
		return KeyNotRSA, true
	case label == "OPENSSH PRIVATE KEY":
		return KeyUnsupportedFormat, true
	case strings.Contains(label, "CERTIFICATE"):
		return KeyCertificate, true
	case strings.Contains(label, "PUBLIC KEY"):
		return KeyPublic, true
	}
	return 0, false
}

// privateKeyFromDER decodes PKCS#1 or PKCS#8 DER, whichever fits, because
// the PEM label is sometimes wrong after copy and paste.
func privateKeyFromDER(label string, der []byte, kerr func(KeyErrorKind, string, error) error) (*PrivateKey, error) {
	var key any
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		key = k
	} else if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		key = k
	} else if _, err := x509.ParseECPrivateKey(der); err == nil {
		return nil, kerr(KeyNotRSA, "EC key", nil)
	} else if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return nil, kerr(KeyPublic, "public key", nil)
	} else if _, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return nil, kerr(KeyPublic, "RSA public key", nil)
	} else if _, err := x509.ParseCertificate(der); err == nil {
		return nil, kerr(KeyCertificate, "certificate", nil)
	} else {
		detail := "not a PKCS#1 or PKCS#8 key"
		if label != "" {
			detail = label + " block is " + detail
		}
		if bytes.Count(der, []byte{0}) == len(der) {
			detail = "key body is empty"
		}
		return nil, kerr(KeyMalformed, detail, nil)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, kerr(KeyTooSmall, fmt.Sprintf("%d bits", k.N.BitLen()), nil)
		}
		if err := k.Validate(); err != nil {
			return nil, kerr(KeyMalformed, "RSA key fails validation", err)
		}
		return &PrivateKey{key: k, fingerprint: publicFingerprint(&k.PublicKey)}, nil
	case *ecdsa.PrivateKey:
		return nil, kerr(KeyNotRSA, "EC key", nil)
	case ed25519.PrivateKey:
		return nil, kerr(KeyNotRSA, "Ed25519 key", nil)
	default:
		return nil, kerr(KeyNotRSA, fmt.Sprintf("%T", key), nil)
	}
}
