package main

import "testing"

func TestMachineFactsAreReadFromProc(t *testing.T) {
	meminfo := []byte("MemFree:         1000 kB\nMemTotal:       24576000 kB\n")
	if got := memTotal(meminfo); got != 24576000*1024 {
		t.Errorf("memTotal = %d", got)
	}
	if got := memTotal([]byte("nothing here\n")); got != 0 {
		t.Errorf("memTotal without MemTotal = %d, want 0", got)
	}
	cpuinfo := []byte("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n\nprocessor\t: 1\nmodel name\t: Other\n")
	if got := cpuModel(cpuinfo); got != "Intel(R) Xeon(R) Processor" {
		t.Errorf("cpuModel = %q", got)
	}
}
