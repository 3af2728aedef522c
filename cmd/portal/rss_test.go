//go:build rss

// The memory of `portal serve` under a burst of logins (issue 14, goal 6:
// at most 80 MB after 1 000 concurrent logins). Not in the normal run:
//
//	go test -tags rss -run TestServeRSSAfterConcurrentLogins -v ./cmd/portal/
//
// RSS_LOGINS (default 1000) and RSS_HASH_SLOTS (default: the portal's
// own, password.hash_slots) change the burst and the bound; a large
// RSS_HASH_SLOTS shows what the bound saves. RSS_NO_GZIP=1 asks for
// uncompressed pages.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeRSSAfterConcurrentLogins(t *testing.T) {
	logins := envInt(t, "RSS_LOGINS", 1000)
	bin := filepath.Join(t.TempDir(), "portal")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	// The demo in memory, each login from its own address (as 1 000
	// citizens would be) so that the per-address limits do not answer
	// before the password is checked.
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-level", "error")
	cmd.Env = append(os.Environ(), "PORTAL_HTTP_CLIENT_IP_HEADER=X-Forwarded-For")
	if s := os.Getenv("RSS_HASH_SLOTS"); s != "" {
		cmd.Env = append(cmd.Env, "PORTAL_PASSWORD_HASH_SLOTS="+s)
	}
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
	idle := rss(t, cmd.Process.Pid)

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: logins, DisableCompression: os.Getenv("RSS_NO_GZIP") != ""}}
	res, err := c.Get(base + "/connexion")
	require.NoError(t, err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	token := regexp.MustCompile(`name="jeton" value="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, token)

	// Every login checks a password with argon2id: unknown addresses
	// cost the same hash as a wrong password (ports: the dummy hash).
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		gate   = make(chan struct{})
	)
	start := time.Now()
	for i := range logins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"email": {fmt.Sprintf("citoyen%d@exemple.fr", i)}, "password": {"mauvais-mot-de-passe"}, "jeton": {string(token[1])}}
			req, _ := http.NewRequest(http.MethodPost, base+"/connexion", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
			<-gate
			st := 0
			if res, err := c.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				st = res.StatusCode
			}
			mu.Lock()
			counts[st]++
			mu.Unlock()
		}()
	}
	close(gate)
	wg.Wait()
	took := time.Since(start)
	after := rss(t, cmd.Process.Pid)
	t.Logf("%d concurrent logins in %v: answers by status %v (401: password checked; 503: « réessayez dans un instant »)", logins, took.Round(time.Millisecond), counts)
	t.Logf("portal serve RSS: idle %.1f MB; after the logins %.1f MB; peak (VmHWM) %.1f MB", idle.now, after.now, after.peak)
	assert.Zero(t, counts[0], "no request failed at the connection")
	assert.Equal(t, logins, counts[http.StatusUnauthorized]+counts[http.StatusServiceUnavailable], "every login checked or asked to wait")
	if os.Getenv("RSS_HASH_SLOTS") == "" {
		assert.LessOrEqual(t, after.now, 80.0, "issue 14: at most 80 MB after the logins")
	}
}

type rssMB struct{ now, peak float64 }

// rss reads the resident set of pid now and at its highest (VmRSS and
// VmHWM of /proc/PID/status), in MB (10^6 bytes).
func rss(t *testing.T, pid int) rssMB {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	defer f.Close()
	var out rssMB
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "VmRSS:":
			out.now = kb * 1024 / 1e6
		case "VmHWM:":
			out.peak = kb * 1024 / 1e6
		}
	}
	return out
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	require.NoError(t, err, name)
	return n
}
