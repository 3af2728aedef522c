package pgtest

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// server is a throwaway PostgreSQL: its data, its Unix socket and its log
// live in one temporary directory.
type server struct {
	bin  string // the directory of initdb and pg_ctl
	dir  string // removed by stop
	data string
	as   *account // the user the server runs as; nil: the current one
}

// port names the socket file (.s.PGSQL.5432); nothing listens on TCP.
const port = 5432

// settings make the server fast and disposable: its data need not survive
// a crash.
const settings = `
listen_addresses = ''
port = %d
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 256MB
max_wal_size = 4GB
log_min_messages = warning
`

// lookBinaries finds the server's programs; tests replace it.
var lookBinaries = findBinaries

// findBinaries returns the directory holding initdb and pg_ctl: the one of
// initdb on PATH, or the newest /usr/lib/postgresql/*/bin (Debian keeps
// them off PATH), or /usr/pgsql-*/bin (Red Hat).
func findBinaries() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		found, _ := filepath.Glob(pattern)
		slices.SortFunc(found, func(a, b string) int { return versionOf(b) - versionOf(a) }) // newest first
		dirs = append(dirs, found...)
	}
	for _, d := range dirs {
		if executable(filepath.Join(d, "initdb")) && executable(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, pg_ctl) on PATH nor under /usr/lib/postgresql/*/bin")
}

// versionOf reads the major version in a path like /usr/lib/postgresql/15/bin.
func versionOf(dir string) int {
	for _, part := range strings.FieldsFunc(dir, func(r rune) bool { return r == '/' || r == '-' }) {
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// startServer initialises a cluster in a temporary directory and starts
// it. As root, it runs the server as an unprivileged user, which owns the
// directory.
func startServer(bin string) (*server, error) {
	// A short path: a Unix socket's path is limited to about 100 bytes.
	base := os.TempDir()
	if len(base) > 60 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "pgtest")
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		if s.as, err = unprivileged(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, s.as.uid, s.as.gid); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := s.run("initdb", "-D", s.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	conf, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(conf, settings, port, s.dir)
		if cerr := conf.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := s.run("pg_ctl", "start", "-D", s.data, "-w", "-t", "120", "-l", filepath.Join(s.dir, "server.log")); err != nil {
		// It may have started without answering in time.
		_ = s.run("pg_ctl", "stop", "-D", s.data, "-m", "immediate")
		logTail := s.logTail()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, logTail)
	}
	return s, nil
}

// url is the address of database db: user postgres over the socket.
func (s *server) url(db string) *url.URL {
	return &url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + db,
		RawQuery: url.Values{"host": {s.dir}, "port": {strconv.Itoa(port)}, "sslmode": {"disable"}}.Encode()}
}

// stop stops the server at once and removes its directory.
func (s *server) stop() error {
	err := s.run("pg_ctl", "stop", "-D", s.data, "-m", "immediate", "-w", "-t", "60")
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}

// run runs one of the server's programs as the server's user, its output
// kept in a file of the directory and shown on failure.
func (s *server) run(name string, args ...string) error {
	out, err := os.CreateTemp(s.dir, name+"-*.out")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir // readable by the server's user, unlike root's home
	// A file, not a pipe: the server pg_ctl leaves running must not hold
	// our end open.
	cmd.Stdout, cmd.Stderr = out, out
	if s.as != nil {
		s.as.apply(cmd)
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%s %s (after %s): %w\n%s", name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond), err, b)
	}
	return nil
}

// logTail returns the end of the server's log, for a failure.
func (s *server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
