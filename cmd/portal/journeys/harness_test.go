//go:build browser

package journeys

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// Set by TestMain.
var (
	portalBin  string // the built portal binary
	axeSource  string // axe.min.js
	browserCtx context.Context
	skipReason string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ci := os.Getenv("CI") == "true"
	chrome := findChromium()
	axe, axeErr := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
	switch {
	case chrome == "":
		skipReason = "Chromium not found: install it with `apt-get install -y chromium` (or set CHROME_PATH)"
	case axeErr != nil:
		skipReason = "axe-core not installed: run `npm ci --prefix cmd/portal/journeys`"
	}
	if skipReason != "" {
		if ci {
			fmt.Fprintln(os.Stderr, "journeys: under CI the browser suite must run: "+skipReason)
			return 1
		}
		return m.Run() // every test skips with the reason
	}
	axeSource = string(axe)

	dir, err := os.MkdirTemp("", "portal-journeys-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	portalBin = filepath.Join(dir, "portal")
	build := exec.Command("go", "build", "-o", portalBin, "github.com/portail-factures/portail/cmd/portal")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "journeys: building the portal:", err)
		return 1
	}

	// The flags keep Chromium from reaching outside hosts, which this
	// machine's closed network refuses.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Run(ctx); err != nil { // start the browser once
		fmt.Fprintln(os.Stderr, "journeys: starting Chromium:", err)
		return 1
	}
	browserCtx = ctx
	// A throwaway PostgreSQL for the journeys that run on a database
	// (adapters/postgres/pgtest): started once, removed at the end.
	return pgtest.Main(m, pgtest.Config{URL: os.Getenv(pgtest.EnvURL), Require: os.Getenv(pgtest.EnvRequire) == "1"})
}

func findChromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// portal is one running portal process in demo mode.
type portal struct {
	URL string
	// Stop ends the process (SIGINT, then wait); it may be called again.
	Stop func()
	logs *logLines
}

// logLines are a portal's log lines as they come, for a test to await
// one (a job's end) instead of guessing how long it takes.
type logLines struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{} // closed and replaced at each new line
}

func (l *logLines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	close(l.more)
	l.more = make(chan struct{})
}

// awaitLog waits until the portal logs a line holding every one of parts,
// at most 30 s.
func (p portal) awaitLog(t *testing.T, parts ...string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for seen := 0; ; {
		p.logs.mu.Lock()
		lines, more := p.logs.lines, p.logs.more
		p.logs.mu.Unlock()
		for ; seen < len(lines); seen++ {
			if containsAll(lines[seen], parts) {
				return
			}
		}
		select {
		case <-more:
		case <-timeout:
			t.Fatalf("the portal did not log %q within 30 s", parts)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// startPortal runs the portal binary on a free loopback port, with env
// added to its environment, and waits for its "listening" log line; it is
// stopped at the end of the test.
func startPortal(t *testing.T, env ...string) portal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	cmd := exec.Command(portalBin, "serve", "--addr", addr, "--public-url", base, "--log-level", "info")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	var logs strings.Builder
	lines := &logLines{more: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			logs.WriteString(line + "\n")
			lines.add(line)
			if !sent && strings.Contains(line, "msg=listening") {
				ready <- nil
				sent = true
			}
		}
		if !sent {
			ready <- fmt.Errorf("portal exited before listening:\n%s", logs.String())
		}
	}()
	stop := sync.OnceFunc(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	t.Cleanup(stop)
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("portal did not start within 30 s")
	}
	return portal{URL: base, Stop: stop, logs: lines}
}

// tab opens a new browser tab for the test, and writes a screenshot and
// the page's HTML when the test fails. Tabs share the browser's cookies
// (see privateTab).
func tab(t *testing.T, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, opts...)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			saveArtifacts(t, ctx)
		}
		cancelTimeout()
		cancel()
	})
	return ctx
}

// privateTab opens a tab in a browser context of its own, like a private
// window: its own cookies, and its own connections, closed with it at the
// end of the test. A portal stopped after that stops at once; with a
// connection Chromium opened ahead and left unused, Go's graceful
// shutdown waits 5 s for it. (chromedp.WithNewBrowserContext cannot open
// it: headless Chromium refuses a tab outside a window.)
func privateTab(t *testing.T) context.Context {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	var bc cdp.BrowserContextID
	var id target.ID
	err := chromedp.Run(browserCtx, chromedp.ActionFunc(func(ctx context.Context) error {
		browser := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
		var err error
		if bc, err = target.CreateBrowserContext().Do(browser); err != nil {
			return err
		}
		id, err = target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(browser)
		return err
	}))
	if err != nil {
		t.Fatalf("opening a private tab: %v", err)
	}
	// Cleanups run last first: the tab closes, then its context goes.
	t.Cleanup(func() {
		_ = chromedp.Run(browserCtx, chromedp.ActionFunc(func(ctx context.Context) error {
			return target.DisposeBrowserContext(bc).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
		}))
	})
	return tab(t, chromedp.WithTargetID(id))
}

var (
	unsafeName     = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
	artifactsMu    sync.Mutex
	artifactsSaved = map[string]int{} // per test name
)

func saveArtifacts(t *testing.T, ctx context.Context) {
	dir := os.Getenv("JOURNEY_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "portal-journeys-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("artifacts: %v", err)
		return
	}
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	// A test with several tabs (a citizen and a staff member) saves each.
	artifactsMu.Lock()
	artifactsSaved[name]++
	if n := artifactsSaved[name]; n > 1 {
		name = fmt.Sprintf("%s_%d", name, n)
	}
	artifactsMu.Unlock()
	var png []byte
	var html string
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := chromedp.Run(actx, chromedp.FullScreenshot(&png, 90), chromedp.OuterHTML("html", &html)); err != nil {
		t.Logf("artifacts: %v", err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	_ = os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644)
	t.Logf("failure artifacts: %s.{png,html}", filepath.Join(dir, name))
}

// axeViolation is one failed rule of axe-core.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
		HTML   string   `json:"html"`
	} `json:"nodes"`
}

// audit runs axe-core on the current page with the WCAG 2.0 and 2.1 A and
// AA rules, and fails the test on any violation. No rule is disabled.
func audit(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var injected bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`typeof window.axe !== "undefined"`, &injected)); err != nil {
		t.Fatalf("audit %s: %v", page, err)
	}
	if !injected {
		if err := chromedp.Run(ctx, chromedp.Evaluate(axeSource+";true", &injected)); err != nil {
			t.Fatalf("audit %s: injecting axe-core: %v", page, err)
		}
	}
	var raw string
	script := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`
	err := chromedp.Run(ctx, chromedp.Evaluate(script, &raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if err != nil {
		t.Fatalf("audit %s: %v", page, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("audit %s: %v", page, err)
	}
	for _, v := range violations {
		for _, n := range v.Nodes {
			t.Errorf("axe on %s: %s (%s): %s\n  element %v: %s", page, v.ID, v.Impact, v.Help, n.Target, n.HTML)
		}
	}
}
