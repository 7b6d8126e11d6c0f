//go:build unix

package client

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens path for reading without following a symlink in its
// last element (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK).
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// isSymlinkOpenError reports whether err is O_NOFOLLOW refusing a symlink.
func isSymlinkOpenError(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Err == syscall.ELOOP
}

// foreignOwner reports whether fi belongs to another user than the one
// running the process.
func foreignOwner(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) != os.Geteuid()
}

// writableByOthers reports whether group or other users may write to fi.
func writableByOthers(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o022 != 0 }

// accessibleByOthers reports whether group or other users have any access
// to fi (mode bits 0077).
func accessibleByOthers(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o077 != 0 }
