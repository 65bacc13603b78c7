package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// cmdRSS prints the resident set size (VmRSS) and its peak (VmHWM) of a process.
func cmdRSS(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rss", stderr)
	pid := fs.Int("pid", 0, "process id (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *pid <= 0 {
		return usageError(stderr, "--pid is required")
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		return fmt.Errorf("reading the status of process %d: %w", *pid, err)
	}
	st, err := parseStatus(data)
	if err != nil {
		return fmt.Errorf("process %d: %w", *pid, err)
	}
	fmt.Fprintf(stdout, "rss: process %d (%s): VmRSS %.1f MiB (anonymous %.1f MiB, file-backed %.1f MiB), VmHWM %.1f MiB\n",
		*pid, st.name, float64(st.rssKB)/1024, float64(st.anonKB)/1024, float64(st.fileKB)/1024, float64(st.hwmKB)/1024)
	res := newResult("rss", 0, 0, 0, 0, summary{})
	res.Extra["pid"] = *pid
	res.Extra["name"] = st.name
	res.Extra["vm_rss_kb"] = st.rssKB
	res.Extra["vm_hwm_kb"] = st.hwmKB
	res.Extra["rss_anon_kb"] = st.anonKB
	res.Extra["rss_file_kb"] = st.fileKB
	fmt.Fprintln(stdout, res.line())
	return nil
}

type procStatus struct {
	name                         string
	rssKB, hwmKB, anonKB, fileKB int64
}

// parseStatus reads Name, VmRSS and VmHWM ("VmRSS:   123456 kB"), and RssAnon and RssFile
// when the kernel has them, from /proc/PID/status.
func parseStatus(data []byte) (procStatus, error) {
	var st procStatus
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "Name":
			st.name = val
		case "VmRSS", "VmHWM", "RssAnon", "RssFile":
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(val, "kB")), 10, 64)
			if err != nil {
				return st, fmt.Errorf("bad %s line %q", key, sc.Text())
			}
			switch key {
			case "VmRSS":
				st.rssKB = n
				found++
			case "VmHWM":
				st.hwmKB = n
				found++
			case "RssAnon":
				st.anonKB = n
			case "RssFile":
				st.fileKB = n
			}
		}
	}
	if found < 2 {
		return st, fmt.Errorf("no VmRSS/VmHWM in its status (a zombie or kernel thread?)")
	}
	return st, nil
}
