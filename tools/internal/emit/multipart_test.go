package emit

import "testing"

func TestFormFieldNamesBecomeParameterNames(t *testing.T) {
	for in, want := range map[string]string{
		"file.csv": "fileCsv", "file.xml": "fileXml", "name": "name", "first-name": "firstName", "2x": "x", "..": "",
	} {
		if got := fieldArg(in); got != want {
			t.Errorf("fieldArg(%q) = %q, want %q", in, got, want)
		}
	}
}
