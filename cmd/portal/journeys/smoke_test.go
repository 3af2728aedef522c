//go:build browser

package journeys

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestHarnessStartsThePortalAndTheBrowser(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	p := startPortal(t)
	ctx := privateTab(t)
	var body string
	if err := chromedp.Run(ctx, chromedp.Navigate(p.URL+"/healthz"), chromedp.Text("body", &body)); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz says %q", body)
	}
}
