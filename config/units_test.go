package config_test

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/openjds/jds/config"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    config.ByteSize
		wantErr string
	}{
		{in: "0", want: 0},
		{in: "1048576", want: 1 << 20},
		{in: "4MiB", want: 4 << 20},
		{in: "256KiB", want: 256 << 10},
		{in: "1GiB", want: 1 << 30},
		{in: "2TiB", want: 2 << 40},
		{in: "512KB", want: 512_000},
		{in: "10MB", want: 10_000_000},
		{in: "3GB", want: 3_000_000_000},
		{in: "1TB", want: 1_000_000_000_000},
		{in: "100B", want: 100},
		{in: "4 MiB", want: 4 << 20},
		{in: "4mib", want: 4 << 20},
		{in: "64kb", want: 64_000},
		{in: " 1.5GiB ", want: 3 << 29},
		{in: "0.5KiB", want: 512},
		{in: "1.0009765625KiB", want: 1025},
		{in: "8EiB", wantErr: "is not a byte size"},
		{in: "", wantErr: "is not a byte size"},
		{in: "MiB", wantErr: "is not a byte size"},
		{in: "-1MiB", wantErr: "is not a byte size"},
		{in: "1e6", wantErr: "is not a byte size"},
		{in: "4 megs", wantErr: "is not a byte size"},
		{in: ".5MiB", wantErr: "is not a byte size"},
		{in: "1.5B", wantErr: "is not a whole number of bytes"},
		{in: "0.3KiB", wantErr: "is not a whole number of bytes"},
		{in: "9223372036854775807", want: 1<<63 - 1},
		{in: "9223372036854775808", wantErr: "is out of range"},
		{in: "8388608TiB", wantErr: "is out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := config.ParseByteSize(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseByteSize(%q) = %v, %v; want error %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseByteSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestByteSizeString(t *testing.T) {
	tests := []struct {
		in   config.ByteSize
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1000, "1000B"},
		{1024, "1KiB"},
		{1536, "1536B"},
		{3 << 29, "1536MiB"},
		{4 << 20, "4MiB"},
		{256 << 10, "256KiB"},
		{1 << 30, "1GiB"},
		{5 << 40, "5TiB"},
		{10_000_000, "10000000B"},
		{-2048, "-2KiB"},
	}
	for _, tc := range tests {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tc.in), got, tc.want)
		}
		if tc.in >= 0 {
			if back, err := config.ParseByteSize(tc.want); err != nil || back != tc.in {
				t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tc.want, back, err, tc.in)
			}
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "15s", want: 15 * time.Second},
		{in: "24h", want: 24 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "0", want: 0},
		{in: "0s", want: 0},
		{in: "30", want: 30 * time.Second},
		{in: "-5", want: -5 * time.Second},
		{in: "-1s", want: -time.Second},
		{in: "soon", wantErr: true},
		{in: "", wantErr: true},
		{in: "1.5", wantErr: true}, // seconds are whole; write 1500ms
		{in: "15 s", wantErr: true},
		{in: "1d", want: 24 * time.Hour},
		{in: "365d", want: 365 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "0d", want: 0},
		{in: "d", wantErr: true},
		{in: "1.5d", wantErr: true}, // days are whole; write 1d12h
		{in: "-1d", wantErr: true},
		{in: "1d-1h", wantErr: true},
		{in: "1dx", wantErr: true},
		{in: "1d 2h", wantErr: true},
		{in: "999999d", wantErr: true},       // days overflowing time.Duration
		{in: "9999999999999", wantErr: true}, // seconds overflowing time.Duration
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := config.ParseDuration(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseDuration(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || time.Duration(got) != tc.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestUnitsWithPlainYAML checks that ByteSize and Duration also work with
// yaml.Unmarshal, for packages that embed them in their own files.
func TestUnitsWithPlainYAML(t *testing.T) {
	var v struct {
		Size config.ByteSize `yaml:"size"`
		Wait config.Duration `yaml:"wait"`
	}
	if err := yaml.Unmarshal([]byte("size: 4MiB\nwait: 90\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.Size != 4*config.MiB || v.Wait != config.Duration(90*time.Second) {
		t.Errorf("got %v, %v", v.Size, v.Wait)
	}
	err := yaml.Unmarshal([]byte("size: [1]\n"), &v)
	if err == nil || !strings.Contains(err.Error(), "expected a byte size, got a list") {
		t.Errorf("size: [1] → %v", err)
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "size: 4MiB\nwait: 1m30s\n" {
		t.Errorf("Marshal = %q", out)
	}
}
