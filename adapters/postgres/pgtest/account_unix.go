//go:build unix

package pgtest

import (
	"errors"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// account is the unprivileged user a root test process runs the server as.
type account struct {
	name     string
	uid, gid int
}

// unprivileged returns the user postgres, or nobody: initdb and the
// server refuse to run as root.
func unprivileged() (*account, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			continue
		}
		return &account{name: name, uid: uid, gid: gid}, nil
	}
	return nil, errors.New("the tests run as root, which PostgreSQL refuses, and there is no user postgres (nor nobody) to run it as: create one (useradd postgres) or run the tests as another user")
}

// apply makes cmd run as a, with a's group only.
func (a *account) apply(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid), Groups: []uint32{}}}
}
