package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Server is a throwaway PostgreSQL for a program that is not a test
// (cmd/portalbench): the same server the tests start, listening only on a
// Unix socket in a temporary directory, run as an unprivileged user when
// the program runs as root.
type Server struct{ s *server }

// StartServer initialises and starts a throwaway server, with conf (lines
// of postgresql.conf, such as shared_preload_libraries) appended to the
// tests' settings. Stop removes it.
func StartServer(conf string) (*Server, error) {
	bin, err := lookBinaries()
	if err != nil {
		return nil, fmt.Errorf("%w; %s", err, InstallHint)
	}
	s, err := startServer(bin)
	if err != nil {
		return nil, err
	}
	if conf != "" {
		// Settings such as shared_preload_libraries take effect at start
		// only: append them, then restart.
		f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = fmt.Fprintf(f, "\n%s\n", conf)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil {
			err = s.run("pg_ctl", "restart", "-D", s.data, "-w", "-t", "120", "-m", "fast", "-l", filepath.Join(s.dir, "server.log"))
		}
		if err != nil {
			logTail := s.logTail()
			_ = s.stop()
			return nil, fmt.Errorf("%w\n%s", err, logTail)
		}
	}
	return &Server{s: s}, nil
}

// URL is the address of database db on the server, as user postgres.
func (s *Server) URL(db string) string { return s.s.url(db).String() }

// Bin is the directory of the server's programs (psql, pgbench).
func (s *Server) Bin() string { return s.s.bin }

// SocketDir is the directory of the server's Unix socket, the host of
// its clients; Port names the socket file.
func (s *Server) SocketDir() string { return s.s.dir }

// Port is the port in the name of the server's socket file.
func (s *Server) Port() string { return strconv.Itoa(port) }

// DataDir is the server's data directory (its log directory is inside).
func (s *Server) DataDir() string { return s.s.data }

// Stop stops the server at once and removes its directory.
func (s *Server) Stop() error { return s.s.stop() }
