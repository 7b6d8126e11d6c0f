package api

import "testing"

func TestSpecsListsEveryPinnedSpecification(t *testing.T) {
	specs, err := Specs()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range specs {
		if len(s.Commit) != 40 || len(s.SHA256) != 64 || s.File == "" || s.URL == "" {
			t.Errorf("incomplete entry: %+v", s)
		}
		names[s.Name] = true
	}
	for _, want := range []string{"esignature", "admin", "monitor"} {
		if !names[want] {
			t.Errorf("no %s spec in %v", want, names)
		}
	}
}

func TestSDKsNamesTheESignatureSDK(t *testing.T) {
	sdks, err := SDKs()
	if err != nil {
		t.Fatal(err)
	}
	if len(sdks) != 1 || sdks[0].API != "esignature" || sdks[0].Package != "docusign-esign" || sdks[0].Version != "10.0.0" || len(sdks[0].SHA256) != 64 {
		t.Errorf("got %+v", sdks)
	}
}

func TestSamplesNamesTheConnectMessage(t *testing.T) {
	samples, err := Samples()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 1 || samples[0].Name != "connect-message" || samples[0].File != "connect.schema-v2.json" ||
		len(samples[0].Commit) != 40 || len(samples[0].SHA256) != 64 || samples[0].URL == "" {
		t.Errorf("got %+v", samples)
	}
}
