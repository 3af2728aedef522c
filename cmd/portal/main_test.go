package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer the server's goroutines may log into while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// closeNotifyingListener tells, through closed, that the server closed it:
// the first step of a graceful shutdown.
type closeNotifyingListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifyingListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// client never waits long: the listener accepts at once, so a hang is a bug.
var client = &http.Client{Timeout: 5 * time.Second}

// waitRun returns Run's result, failing the test if shutdown hangs.
func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("Run did not return after the context was cancelled")
		return nil
	}
}

// startMain runs `portal serve args…` on a fresh 127.0.0.1:0 listener and
// returns its base URL, its log, and stop, which cancels Run's context and
// returns Run's result (it may be called more than once).
func startMain(t *testing.T, args ...string) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	clearEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	logs = &syncBuffer{}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, logs
	require.NoError(t, m.ParseArgs(append([]string{"serve"}, args...)))
	m.Listener = ln
	m.Serving = make(chan struct{})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stop = sync.OnceValue(func() error {
		cancel()
		return waitRun(t, done)
	})
	t.Cleanup(func() {
		_ = stop()
		assert.NoError(t, m.Close())
	})
	// Start-up hashes the demo's passwords (argon2id), which the race
	// detector and a loaded machine slow down far beyond client's timeout.
	select {
	case <-m.Serving:
	case err := <-done:
		t.Fatalf("portal serve stopped before serving: %v", err)
	}
	return "http://" + ln.Addr().String(), logs, stop
}

func TestServeHealthzThenShutDownOnCancel(t *testing.T) {
	base, logs, stop := startMain(t, "--log-format", "text")

	resp, err := client.Get(base + "/healthz")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "ok\n", string(body))

	resp, err = client.Post(base+"/healthz", "text/plain", strings.NewReader(""))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the route is GET only: the portal's 404 page answers the rest")

	require.NoError(t, stop())

	_, err = client.Get(base + "/healthz")
	assert.Error(t, err, "the listener is closed after shutdown")

	log := logs.String()
	assert.Contains(t, log, `msg=listening url=`+base)
	assert.Regexp(t, `msg=request method=GET route="GET /healthz" status=200 bytes=3 duration=\S+ request_id=[A-Z2-7]{16}\n`, log)
	assert.Regexp(t, `msg=request method=POST route=/ status=404 bytes=\d+ duration=\S+ request_id=[A-Z2-7]{16}\n`, log)
	assert.Contains(t, log, `msg=stopped`)
}

func TestShutdownLetsRequestsInFlightFinish(t *testing.T) {
	clearEnv(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := &closeNotifyingListener{Listener: inner, closed: make(chan struct{})}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, &syncBuffer{}
	require.NoError(t, m.ParseArgs(nil))
	m.Logger = newLogger(m.Stderr, m.Config.Log)

	entered, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished\n")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.serveHTTP(ctx, ln, slow) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := client.Get("http://" + inner.Addr().String() + "/")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()

	<-entered
	cancel()
	<-ln.closed // shutdown has begun, with the request still running
	close(release)

	r := <-got
	require.NoError(t, r.err)
	assert.Equal(t, "finished\n", r.body)
	assert.NoError(t, waitRun(t, done))
}

func TestServeReportsAnAddressInUse(t *testing.T) {
	clearEnv(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()

	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"--addr", taken.Addr().String()}))
	err = m.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot listen on "+taken.Addr().String())
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "portal ", ""},
		{"help lists every environment variable", []string{"help"}, 0, "PORTAL_SESSION_REMEMBER_TTL", ""},
		{"-h prints the help", []string{"-h"}, 0, "Usage:\n  portal [serve]", ""},
		{"unknown command", []string{"serv"}, 2, "", "portal: unknown command \"serv\"\nRun 'portal help' for usage.\n"},
		{"unknown flag", []string{"serve", "--port", "80"}, 2, "", "portal: flag provided but not defined: -port\n"},
		{"stray argument", []string{"version", "now"}, 2, "", "portal: version takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			var stdout, stderr bytes.Buffer
			m := NewMain()
			m.Stdout, m.Stderr = &stdout, &stderr
			err := m.ParseArgs(tt.args)
			if err == nil {
				err = m.Run(context.Background())
			}
			assert.Equal(t, tt.wantCode, m.report(err))
			assert.Contains(t, stdout.String(), tt.wantStdout)
			assert.Contains(t, stderr.String(), tt.wantStderr)
		})
	}
}

func TestHelpFlagIsNotAnError(t *testing.T) {
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	assert.ErrorIs(t, m.ParseArgs([]string{"serve", "--help"}), flag.ErrHelp)
}
