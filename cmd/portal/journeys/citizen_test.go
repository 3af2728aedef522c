//go:build browser

package journeys

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// citizen drives one browser tab against one portal, with the mouse by
// default, and audits the pages it is told to.
type citizen struct {
	t      *testing.T
	ctx    context.Context
	base   string
	portal portal
}

// newCitizen starts a portal with env added to its environment and opens
// a private tab on it.
func newCitizen(t *testing.T, env ...string) *citizen {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	return visitor(t, startPortal(t, env...))
}

// visitor opens a private tab on a running portal: a staff member and a
// citizen can act side by side, each with their own cookies. The tab and
// its cookies go at the end of the test, before the portal stops (which
// is then immediate: see privateTab).
func visitor(t *testing.T, p portal) *citizen {
	t.Helper()
	return &citizen{t: t, ctx: privateTab(t), base: p.URL, portal: p}
}

// stop ends the citizen's portal process.
func (c *citizen) stop() { c.portal.Stop() }

func (c *citizen) run(what string, actions ...chromedp.Action) {
	c.t.Helper()
	if err := chromedp.Run(c.ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to a path of the portal.
func (c *citizen) open(path string) {
	c.t.Helper()
	c.run("open "+path, chromedp.Navigate(c.base+path), chromedp.WaitReady("body", chromedp.ByQuery))
}

// xpathLiteral quotes s for XPath (the manual's labels hold apostrophes).
func xpathLiteral(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `concat('` + strings.ReplaceAll(s, `'`, `', "'", '`) + `')`
}

// control finds the link or button labelled label: the one whose text is
// exactly label if there is one, else the first whose text starts with it
// (a button may add words for screen readers only).
func (c *citizen) control(label string) string {
	c.t.Helper()
	exact := fmt.Sprintf(`//*[self::a or self::button][normalize-space(.)=%s]`, xpathLiteral(label))
	var n int
	c.run("look for « "+label+" »", chromedp.Evaluate(fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, exact), &n))
	if n > 0 {
		return "(" + exact + ")[1]"
	}
	return fmt.Sprintf(`(//*[self::a or self::button][starts-with(normalize-space(.), %s)])[1]`, xpathLiteral(label))
}

// click presses a link or a button with the mouse and waits for the page
// it leads to.
func (c *citizen) click(label string) {
	c.t.Helper()
	c.clickAndWait("click « "+label+" »", chromedp.Click(c.control(label), chromedp.BySearch, chromedp.NodeVisible))
}

// clickAndWait runs action, which leaves the page, and waits for the page
// it leads to (chromedp.RunResponse waits for that navigation).
func (c *citizen) clickAndWait(what string, action chromedp.Action) {
	c.t.Helper()
	resp, err := chromedp.RunResponse(c.ctx, action)
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	if resp != nil && resp.Status >= 500 {
		c.t.Fatalf("%s: the server answered %d", what, resp.Status)
	}
}

// fill types value into the field with that id, as a person would.
func (c *citizen) fill(id, value string) {
	c.t.Helper()
	var cleared bool
	c.run("fill #"+id,
		chromedp.Click("#"+id, chromedp.ByQuery, chromedp.NodeVisible),
		// Empty what the page kept from a previous try, then type.
		chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = ""; return true })()`, id), &cleared),
		chromedp.SendKeys("#"+id, value, chromedp.ByQuery))
}

// check ticks a checkbox or a selection row by clicking its label.
func (c *citizen) check(labelText string) {
	c.t.Helper()
	c.run("tick « "+labelText+" »", chromedp.Click(fmt.Sprintf(`//label[contains(normalize-space(.), %s)]`, xpathLiteral(labelText)), chromedp.BySearch, chromedp.NodeVisible))
}

// text returns what the page shows.
func (c *citizen) text() string {
	c.t.Helper()
	var s string
	c.run("read the page", chromedp.Text("body", &s, chromedp.ByQuery))
	return s
}

// see fails unless the page shows every one of texts.
func (c *citizen) see(texts ...string) {
	c.t.Helper()
	body := c.text()
	for _, want := range texts {
		if !strings.Contains(body, want) {
			c.t.Fatalf("the page does not show %q; it shows:\n%s", want, body)
		}
	}
}

// notSee fails if the page shows text.
func (c *citizen) notSee(text string) {
	c.t.Helper()
	if strings.Contains(c.text(), text) {
		c.t.Fatalf("the page shows %q", text)
	}
}

// audit runs axe-core on the current page and checks it does not scroll
// sideways.
func (c *citizen) audit(page string) {
	c.t.Helper()
	audit(c.t, c.ctx, page)
	var overflow bool
	c.run("measure "+page, chromedp.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`, &overflow))
	if overflow {
		c.t.Errorf("%s scrolls horizontally", page)
	}
}

func (c *citizen) url() string {
	c.t.Helper()
	var u string
	c.run("read the address", chromedp.Location(&u))
	return u
}

// sessionCookie returns the portal's session cookie.
func (c *citizen) sessionCookie() *network.Cookie {
	c.t.Helper()
	var cookies []*network.Cookie
	c.run("read cookies", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().Do(ctx)
		return err
	}))
	for _, ck := range cookies {
		if strings.Contains(ck.Name, "portail-session") {
			return ck
		}
	}
	c.t.Fatal("no session cookie")
	return nil
}

// followMailLink opens the demo mailbox, checks the newest mail to addr
// and clicks the link it holds.
func (c *citizen) followMailLink(to, subject string) {
	c.t.Helper()
	c.open("/_dev/mail")
	c.see("À :", to, "Objet :", subject)
	c.audit("la boîte aux lettres de démonstration")
	xp := fmt.Sprintf(`(//article[.//dd[normalize-space(.)=%s]])[1]//pre//a`, xpathLiteral(to))
	c.clickAndWait("follow the link sent to "+to, chromedp.Click(xp, chromedp.BySearch, chromedp.NodeVisible))
}

// login fills the login form and presses « Connexion ».
func (c *citizen) login(email, password string, remember bool) {
	c.t.Helper()
	c.open("/connexion")
	c.fill("email", email)
	c.fill("password", password)
	if remember {
		c.check("Se souvenir de moi")
	}
	c.click("Connexion")
}

// viewport sets the window size, for the small-screen journey.
func (c *citizen) viewport(w, h int64) {
	c.t.Helper()
	c.run("resize", emulation.SetDeviceMetricsOverride(w, h, 1, true))
}

// press sends one key, with modifiers, to the focused element.
func (c *citizen) press(key string, mods ...input.Modifier) {
	c.t.Helper()
	opts := []chromedp.KeyOption{}
	if len(mods) > 0 {
		opts = append(opts, chromedp.KeyModifiers(mods...))
	}
	c.run("press a key", chromedp.KeyEvent(key, opts...))
}

// focused describes the element that has the focus: its text or id, and
// whether its focus is visible (an outline or a box shadow drawn).
func (c *citizen) focused() (label string, visible bool) {
	c.t.Helper()
	var res struct {
		Label   string `json:"label"`
		Visible bool   `json:"visible"`
	}
	c.run("read the focus", chromedp.Evaluate(`(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return {label: "", visible: false};
		const s = getComputedStyle(e);
		const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
		const shadow = s.boxShadow && s.boxShadow !== "none";
		const field = ["INPUT", "TEXTAREA", "SELECT"].includes(e.tagName);
		const label = field ? e.id : (e.innerText || e.getAttribute("aria-label") || "");
		return {label: label.trim().replace(/\s+/g, " "), visible: outline || shadow};
	})()`, &res))
	return res.Label, res.Visible
}

// tabTo presses Tab (or Shift+Tab) until the focus is on a control whose
// text or id starts with label, checking on the way that every focused
// control shows its focus. It fails after max presses.
func (c *citizen) tabTo(label string, back bool, max int) {
	c.t.Helper()
	for i := 0; i < max; i++ {
		if back {
			c.press(kb.Tab, input.ModifierShift)
		} else {
			c.press(kb.Tab)
		}
		got, visible := c.focused()
		if got != "" && !visible {
			c.t.Errorf("the focus on %q is not visible", got)
		}
		if strings.HasPrefix(got, label) {
			return
		}
	}
	c.t.Fatalf("%q cannot be reached with the keyboard in %d presses", label, max)
}

// typeText types into the focused field.
func (c *citizen) typeText(s string) {
	c.t.Helper()
	c.run("type", chromedp.KeyEvent(s))
}

// enter presses Enter on the focused control and waits for the next page.
func (c *citizen) enter() {
	c.t.Helper()
	c.clickAndWait("press Enter", chromedp.KeyEvent(kb.Enter))
}

// space presses Space on the focused button and waits for the next page.
func (c *citizen) space() {
	c.t.Helper()
	c.clickAndWait("press Space", chromedp.KeyEvent(" "))
}
