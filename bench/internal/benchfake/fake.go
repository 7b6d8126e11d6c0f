package benchfake

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/client/docusigntest"
)

// Fake is the fake DocuSign both sides talk to, running in this process.
type Fake struct {
	// Server is the fake itself.
	Server *docusigntest.Server
	// CAFile is the PEM file holding the certificate the fake serves.
	CAFile string
	// Startup is how long seeding and starting the fake took.
	Startup time.Duration

	dir  string // where key files go
	runs int
}

// Start starts the fake over TLS, sized for the workloads: events
// Monitor events (all inside the stream's default seven-day start, so a
// drain without a cursor sees every one) and users organization users, all
// members of its one account. It writes the served certificate to dir.
func Start(dir string, events, users int) (*Fake, error) {
	start := time.Now()
	srv := docusigntest.NewServer(
		docusigntest.WithTLS(),
		docusigntest.WithEvents(events),
		docusigntest.WithUsers(users),
		docusigntest.WithAccounts(1),
	)
	f := &Fake{Server: srv, dir: dir, Startup: time.Since(start)}
	der, err := servedCertificate(srv)
	if err != nil {
		srv.Close()
		return nil, err
	}
	f.CAFile = filepath.Join(dir, "fake-ca.pem")
	if err := os.WriteFile(f.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		srv.Close()
		return nil, err
	}
	return f, nil
}

// SetLatency makes the fake wait d before answering each API request
// (every request but OAuth's), as DocuSign's answers take a while. A
// request the client gives up on stops waiting.
func (f *Fake) SetLatency(d time.Duration) {
	f.Server.InjectFault(docusigntest.Fault{
		Delay: d,
		Count: -1,
		Match: func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/oauth/") },
	})
}

// Close shuts the fake down.
func (f *Fake) Close() { f.Server.Close() }

// servedCertificate returns the certificate the fake presents, read from a
// handshake that verifies it against the fake's own client configuration.
func servedCertificate(srv *docusigntest.Server) ([]byte, error) {
	tr, ok := srv.Client().Transport.(*http.Transport)
	if !ok || tr.TLSClientConfig == nil {
		return nil, errors.New("the fake's client has no TLS configuration: was it started WithTLS?")
	}
	conn, err := tls.Dial("tcp", srv.OAuthHost(), tr.TLSClientConfig.Clone())
	if err != nil {
		return nil, fmt.Errorf("reading the fake's certificate: %w", err)
	}
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, errors.New("the fake presented no certificate")
	}
	return certs[0].Raw, nil
}

// NewRun registers a fresh integration key (so no token exists for it
// anywhere), writes its private key to a file, and zeroes the request log.
func (f *Fake) NewRun(n int) (benchenv.Settings, error) {
	in := f.Server.NewIntegration()
	f.runs++
	keyFile := filepath.Join(f.dir, fmt.Sprintf("integration-%d.pem", f.runs))
	if err := os.WriteFile(keyFile, in.PrivateKeyPEM(), 0o600); err != nil {
		return benchenv.Settings{}, err
	}
	env := f.Server.Environment()
	f.Server.ResetLog()
	return benchenv.Settings{
		OAuthHost:      f.Server.OAuthHost(),
		ESignURL:       env.ESignatureURL,
		AdminURL:       env.AdminURL,
		MonitorURL:     env.MonitorURL,
		IntegrationKey: in.Key,
		UserID:         in.UserID,
		AccountID:      in.AccountID,
		OrgID:          f.Server.OrgID(),
		PrivateKeyFile: keyFile,
		N:              n,
		CAFile:         f.CAFile,
	}, nil
}

// Counts is what the fake saw since the last NewRun.
type Counts struct {
	// Total counts every request; Token those to /oauth/token; ESignature,
	// Admin and Monitor those to each API.
	Total, Token, ESignature, Admin, Monitor int
}

// Counts returns the fake's request counters since the last NewRun.
func (f *Fake) Counts() Counts {
	s := f.Server
	return Counts{
		Total:      s.RequestCount(),
		Token:      s.TokenRequests(),
		ESignature: s.ESignatureRequests(),
		Admin:      s.AdminRequests(),
		Monitor:    s.MonitorRequests(),
	}
}
