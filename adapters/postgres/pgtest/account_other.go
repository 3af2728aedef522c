//go:build !unix

package pgtest

import (
	"errors"
	"os/exec"
)

// account is the unprivileged user a root test process runs the server as;
// only Unix has root.
type account struct{ uid, gid int }

func unprivileged() (*account, error) { return nil, errors.New("cannot change user on this system") }

func (a *account) apply(*exec.Cmd) {}
