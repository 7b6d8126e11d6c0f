package speclock

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const lockJSON = `{"specs":[{"name":"monitor","file":"monitor.rest.swagger-v2.0.json",
 "url":"URL","commit":"10056bd7c07c2f8e41f5cb382be85d31e233f1ec",
 "sha256":"2e77622d73e40041a88632ed1edfdc2b8d9f6b7cc7174ac652d0b197b949719e"}]}`

func realLock(t *testing.T) *Lock {
	t.Helper()
	l, err := Read(filepath.Join("..", "..", "..", "api", "specs.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestTheProjectLockIsValidAndNamesThreeSpecs(t *testing.T) {
	l := realLock(t)
	for _, name := range []string{"esignature", "admin", "monitor"} {
		s, ok := l.Get(name)
		if !ok {
			t.Fatalf("lock has no %s", name)
		}
		if !strings.Contains(s.URL, s.Commit) || !strings.HasSuffix(s.URL, "/"+s.File) {
			t.Errorf("%s: url %s does not name commit %s and file %s", name, s.URL, s.Commit, s.File)
		}
	}
}

// The tests that need the real specs are in mirror_test.go.

func TestDownloadIsVerifiedAndCached(t *testing.T) {
	body := []byte("not the spec")
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Write(body)
	}))
	defer srv.Close()
	s := Spec{Name: "x", File: "x.json", URL: srv.URL + "/x.json", SHA256: strings.Repeat("0", 64)}
	loc := &Locator{CacheDir: t.TempDir()}
	var ce *ChecksumError
	if _, err := loc.Load(context.Background(), s); !errors.As(err, &ce) {
		t.Fatalf("a download with the wrong digest must be refused, got %v", err)
	}
	good := Spec{Name: "x", File: "x.json", URL: srv.URL + "/x.json"}
	good.SHA256 = sha(body)
	for i := 0; i < 2; i++ {
		got, err := loc.Load(context.Background(), good)
		if err != nil || string(got) != string(body) {
			t.Fatalf("load %d: %q, %v", i, got, err)
		}
	}
	if calls != 2 { // one refused download, then one good download reused from the cache
		t.Errorf("server saw %d downloads, want 2", calls)
	}
}

func TestReadRejectsMalformedLocks(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field": `{"specs":[],"extra":1}`,
		"short digest":  strings.Replace(lockJSON, "2e77622d", "2e", 1),
		"no url":        strings.Replace(lockJSON, `"URL"`, `""`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "lock.json")
			os.WriteFile(p, []byte(body), 0o644)
			if _, err := Read(p); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestAMissingSpecSaysHowToProvideIt(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.Error(w, "offline", http.StatusBadGateway)
	}))
	defer srv.Close()
	s := Spec{Name: "monitor", File: "monitor.json", URL: srv.URL + "/monitor.json", SHA256: strings.Repeat("0", 64)}
	mirror := t.TempDir()
	for _, noDownload := range []bool{false, true} {
		calls = 0
		loc := &Locator{Dirs: []string{mirror}, CacheDir: t.TempDir(), NoDownload: noDownload}
		_, err := loc.Load(context.Background(), s)
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("NoDownload=%v: want *NotFoundError, got %v", noDownload, err)
		}
		for _, want := range []string{EnvSpecsDir, "monitor.json", mirror, "api/specs.lock.json", "../shared/specs"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("NoDownload=%v: the error does not mention %q: %v", noDownload, want, err)
			}
		}
		if wantCalls := map[bool]int{false: 1, true: 0}[noDownload]; calls != wantCalls {
			t.Errorf("NoDownload=%v: %d download attempts, want %d", noDownload, calls, wantCalls)
		}
		if !noDownload && !strings.Contains(err.Error(), "502") {
			t.Errorf("the download failure is not shown: %v", err)
		}
	}
}

func sha(b []byte) string {
	s := Spec{}
	err := s.Verify("", b)
	var ce *ChecksumError
	errors.As(err, &ce)
	return ce.Actual
}

func TestTheProjectLockPinsTheESignatureSDK(t *testing.T) {
	s, ok := realLock(t).SDKFor("esignature")
	if !ok {
		t.Fatal("lock pins no SDK for esignature")
	}
	if s.Package != "docusign-esign" || s.Version != "10.0.0" || s.File() != "docusign-esign-10.0.0.tgz" {
		t.Errorf("got %+v (%s)", s, s.File())
	}
	loc := DefaultLocator(filepath.Join("..", "..", ".."))
	loc.CacheDir = ""
	if _, err := loc.LoadSDK(context.Background(), s); err != nil && !strings.Contains(err.Error(), "not found") {
		t.Errorf("the mirror's tarball: %v", err)
	}
}

func TestADamagedSDKTarballIsRefused(t *testing.T) {
	s, _ := realLock(t).SDKFor("esignature")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, s.File()), []byte("not the tarball"), 0o644)
	loc := &Locator{Dirs: []string{dir}}
	_, err := loc.LoadSDK(context.Background(), s)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Expected != s.SHA256 {
		t.Fatalf("want a checksum error naming the locked digest, got %v", err)
	}
}

func TestSDKEntriesAreValidated(t *testing.T) {
	const spec = `{"name":"esignature","file":"e.json","url":"u","commit":"67fbd7576ce62272e78c987ce0a0807d37b8cfd5","sha256":"2fd59540afa326d9fe95c6d397c5e9fd28cd85b27faff9fc4584d004548ce35b"}`
	const sum = "0f5ac13e591e75813187a4e101d6f28fc8f8fc21d24480327595bf6635f23101"
	for _, tc := range []struct{ name, sdk, want string }{
		{"unknown api", `{"api":"nope","package":"docusign-esign","version":"10.0.0","sha256":"` + sum + `"}`, "api must name a locked spec"},
		{"range version", `{"api":"esignature","package":"docusign-esign","version":"^10.0.0","sha256":"` + sum + `"}`, "exact version"},
		{"bad package", `{"api":"esignature","package":"../x","version":"10.0.0","sha256":"` + sum + `"}`, "npm package name"},
		{"short digest", `{"api":"esignature","package":"docusign-esign","version":"10.0.0","sha256":"abc"}`, "sha256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "lock.json")
			os.WriteFile(p, []byte(`{"specs":[`+spec+`],"sdks":[`+tc.sdk+`]}`), 0o644)
			if _, err := Read(p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error about %q, got %v", tc.want, err)
			}
		})
	}
}

func TestASampleIsValidatedLikeASpec(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "specs.lock.json")
	good := `{"name": "esignature", "file": "e.json", "url": "https://x/e.json", "commit": "` + strings.Repeat("a", 40) + `", "sha256": "` + strings.Repeat("b", 64) + `"}`
	for name, c := range map[string]struct{ samples, want string }{
		"name shared with a spec": {`[` + good + `]`, "name is empty or repeated"},
		"bad digest":              {`[{"name": "s", "file": "s.json", "url": "https://x", "commit": "` + strings.Repeat("a", 40) + `", "sha256": "nope"}]`, "samples[0] (s): sha256"},
		"file shared with a spec": {`[` + strings.Replace(good, `"esignature"`, `"other"`, 1) + `]`, "would share one mirror file"},
		"not a bare file name":    {`[{"name": "s", "file": "../s.json", "url": "https://x", "commit": "` + strings.Repeat("a", 40) + `", "sha256": "` + strings.Repeat("b", 64) + `"}]`, "bare file name"},
	} {
		if err := os.WriteFile(p, []byte(`{"specs": [`+good+`], "samples": `+c.samples+`}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
	if err := os.WriteFile(p, []byte(`{"specs": [`+good+`], "samples": [`+strings.NewReplacer(`"esignature"`, `"sample"`, `"e.json"`, `"s.json"`).Replace(good)+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Read(p)
	if err != nil || len(l.Samples) != 1 {
		t.Fatalf("a valid sample: %v %+v", err, l)
	}
	// An SDK must name a spec, not a sample.
	if err := os.WriteFile(p, []byte(`{"specs": [`+good+`], "samples": [`+strings.NewReplacer(`"esignature"`, `"sample"`, `"e.json"`, `"s.json"`).Replace(good)+`], "sdks": [{"api": "sample", "package": "p", "version": "1.0.0", "sha256": "`+strings.Repeat("c", 64)+`"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "api must name a locked spec") {
		t.Errorf("an SDK naming a sample: got %v", err)
	}
}
