package strict

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	known := []string{"addr", "dataDir", "rulesDir", "flowsDir", "keys", "log"}
	tests := map[string]string{
		"dataDirr":               "dataDir",
		"datadir":                "dataDir",
		"DataDir":                "dataDir",
		"adr":                    "addr",
		"rulesdr":                "rulesDir",
		"key":                    "keys",
		"address":                "addr",
		"adress":                 "addr",
		"Address":                "addr",
		"dataDirectory":          "dataDir",
		"rulesdirectry":          "rulesDir",
		"logging":                "",
		"storage":                "",
		strings.Repeat("x", 100): "",
	}
	for in, want := range tests {
		if got := Closest(in, known); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpandWholeWordsOnly(t *testing.T) {
	for in, want := range map[string]string{"dataDir": "datadirectory", "addr": "address", "redirect": "redirect", "dirs": "dirs", "DirURL": "directoryurl"} {
		if got := expand(in); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}
