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
