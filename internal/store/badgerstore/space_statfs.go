//go:build linux || darwin

package badgerstore

import (
	"fmt"
	"io/fs"
	"syscall"
)

// statfsFree is the default Options.FreeSpace: the bytes an unprivileged process may
// still write on the filesystem of dir.
func statfsFree(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("reading free space of %s: %w", dir, err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// allocated is the room a file takes on disk, less than its size when it is sparse.
func allocated(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}
