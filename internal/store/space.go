package store

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoSpace means the store has too little free space for a write, which was therefore
// not made: nothing of it is stored, and the same write succeeds once there is room
// again. The error that wraps it is a *SpaceError saying how much is free and needed.
var ErrNoSpace = errors.New("no space left")

// SpaceError is a write or an open refused for want of free space. It matches ErrNoSpace.
type SpaceError struct {
	Dir  string // the data directory
	Free uint64 // bytes free for jds on its filesystem
	Need uint64 // bytes that must be free
	// What needed the room: "a commit", "opening the store", "value-log gc".
	What string
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("no space left: data directory %s has %s free, %s needs %s", e.Dir, ByteCount(e.Free), e.What, ByteCount(e.Need))
}

// Is makes errors.Is(err, ErrNoSpace) true.
func (e *SpaceError) Is(target error) bool { return target == ErrNoSpace }

// ByteCount writes a size for people: "512 bytes", "3.5 MiB (3670016 bytes)".
func ByteCount(n uint64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") + " " + units[u] + fmt.Sprintf(" (%d bytes)", n)
}
