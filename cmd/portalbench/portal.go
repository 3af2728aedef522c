package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildPortal builds ./cmd/portal of the module this program belongs to
// into dir.
func buildPortal(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the portal's module: run portalbench from the repository, or give -portal")
	}
	bin := filepath.Join(dir, "portal")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/portal")
	cmd.Dir = filepath.Dir(mod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/portal: %w\n%s", err, out)
	}
	return bin, nil
}

// portalEnv is the environment of every portal command: the database,
// quiet logs, and background jobs that stay out of the measured runs.
func portalEnv(dbURL string, extra ...string) []string {
	env := []string{
		"PORTAL_DATABASE_URL=" + dbURL,
		"PORTAL_LOG_LEVEL=warn",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
	}
	return append(env, extra...)
}

// portalCommand runs the portal binary once (migrate, biller, import)
// and returns its output, its duration and its peak RSS in bytes.
func portalCommand(ctx context.Context, bin string, env []string, args ...string) (out string, took time.Duration, maxRSS int64, err error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err = cmd.Run()
	took = time.Since(start)
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		return buf.String(), took, maxRSS, fmt.Errorf("portal %s: %w\n%s", strings.Join(args, " "), err, buf.String())
	}
	return buf.String(), took, maxRSS, nil
}

// freeAddr returns a free 127.0.0.1 port, for a process started after.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// server is `portal serve` running as a separate process.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	log  *lockedWriter
	done chan error
}

// startServe starts `portal serve` on addr with env and waits until it
// is ready (/readyz).
func startServe(ctx context.Context, bin, addr string, env []string) (*server, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "PORTAL_ADDR="+addr, "PORTAL_PUBLIC_URL=http://"+addr)
	s := &server{cmd: cmd, base: "http://" + addr, log: &lockedWriter{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("portal serve exited: %v\n%s", err, s.logText())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("portal serve not ready after 60 s\n%s", s.logText())
		}
	}
}

// peakRSS is the server's peak resident memory so far (VmHWM), in bytes.
func (s *server) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s).
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *server) logText() string {
	b := s.log.String()
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return b
}

// lockedWriter keeps a process's output for an error message.
type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
