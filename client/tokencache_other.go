//go:build !unix

package client

import (
	"io/fs"
	"os"
)

// openNoFollow opens path for reading. Without O_NOFOLLOW on this platform
// the caller refuses symlinks with Lstat before opening.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

// isSymlinkOpenError is false: symlinks are caught by Lstat here.
func isSymlinkOpenError(error) bool { return false }

// foreignOwner is false: file ownership is not checked on this platform
// (access control lists decide there).
func foreignOwner(fs.FileInfo) bool { return false }

// writableByOthers is false: mode bits do not describe access here.
func writableByOthers(fs.FileInfo) bool { return false }

// accessibleByOthers is false: mode bits do not describe access here.
func accessibleByOthers(fs.FileInfo) bool { return false }
