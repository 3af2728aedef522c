package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// newHTTPClient returns a client that follows no redirect (each step of a
// flow is checked) and keeps enough idle connections for every client.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConns: 4 * conns, MaxIdleConnsPerHost: 4 * conns, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// session is one payer logged in through the real login form.
type session struct {
	payer int    // the payer's number (idOf, emailOf)
	ip    string // the address it claims (X-Forwarded-For): the login limits are per address
	token string // the session's form token (the field jeton)

	mu      sync.Mutex // a session may serve two clients at once
	cookies []*http.Cookie
}

// tokenField finds the form token in a page.
var tokenField = regexp.MustCompile(`name="jeton"\s+value="([^"]+)"`)

func formToken(page []byte) string {
	m := tokenField.FindSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]))
}

// request sends one request of s and returns the status, body and
// Location of the answer.
func (s *session) request(ctx context.Context, c *http.Client, method, target string, form url.Values) (int, []byte, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return 0, nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", s.ip)
	s.mu.Lock()
	for _, ck := range s.cookies {
		req.AddCookie(ck)
	}
	s.mu.Unlock()
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	s.keep(resp.Cookies())
	return resp.StatusCode, b, resp.Header.Get("Location"), err
}

// keep records the cookies a response set, replacing those of the same
// name.
func (s *session) keep(set []*http.Cookie) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ck := range set {
		s.cookies = slices.DeleteFunc(s.cookies, func(c *http.Cookie) bool { return c.Name == ck.Name })
		if ck.MaxAge >= 0 && ck.Value != "" {
			s.cookies = append(s.cookies, &http.Cookie{Name: ck.Name, Value: ck.Value})
		}
	}
}

// loginTries bounds the logins tried again after a 503: the portal
// refuses a login (« réessayez dans un instant ») when its password-hash
// slots stay busy longer than password.hash_wait, which a loaded machine
// reaches while the benchmark logs its sessions in.
const loginTries = 10

// login logs payer in as loginOnce does, again after a short pause when
// the portal asks to try again in a moment.
func login(ctx context.Context, c *http.Client, base string, payer int) (*session, error) {
	for try := 1; ; try++ {
		s, busy, err := loginOnce(ctx, c, base, payer)
		if !busy || try == loginTries {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(try) * 200 * time.Millisecond):
		}
	}
}

// loginOnce logs payer in as a browser does: the login page (its form
// cookie and token), the form posted, the session cookie kept, then « Mes
// factures » for the session's own token. busy reports a 503 to the form.
func loginOnce(ctx context.Context, c *http.Client, base string, payer int) (_ *session, busy bool, _ error) {
	s := &session{payer: payer, ip: fmt.Sprintf("10.%d.%d.%d", payer>>16&255, payer>>8&255, payer&255)}
	status, page, _, err := s.request(ctx, c, http.MethodGet, base+"/connexion", nil)
	if err != nil || status != http.StatusOK {
		return nil, false, fmt.Errorf("GET /connexion: %d %v", status, err)
	}
	form := url.Values{"email": {emailOf(payer)}, "password": {password}, "jeton": {formToken(page)}}
	status, page, _, err = s.request(ctx, c, http.MethodPost, base+"/connexion", form)
	if err != nil || status != http.StatusSeeOther {
		return nil, err == nil && status == http.StatusServiceUnavailable,
			fmt.Errorf("POST /connexion of %s: %d %v\n%.2000s", emailOf(payer), status, err, page)
	}
	status, page, _, err = s.request(ctx, c, http.MethodGet, base+"/factures", nil)
	if err != nil || status != http.StatusOK {
		return nil, false, fmt.Errorf("GET /factures after login: %d %v", status, err)
	}
	if s.token = formToken(page); s.token == "" {
		return nil, false, fmt.Errorf("no form token on « Mes factures »")
	}
	return s, false, nil
}

// loginAll logs payers in, a few at a time (each login hashes a password
// with argon2id on the server).
func loginAll(ctx context.Context, c *http.Client, base string, payers []int) ([]*session, error) {
	out := make([]*session, len(payers))
	errs := make(chan error, len(payers))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, p := range payers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := login(ctx, c, base, p)
			if err != nil {
				errs <- err
				return
			}
			out[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return out, nil
}

// latencies summarises a run.
type latencies struct {
	N        int
	Elapsed  time.Duration
	P50, P99 time.Duration
}

func (l latencies) rate() float64 { return float64(l.N) / l.Elapsed.Seconds() }

func summarise(all []time.Duration, elapsed time.Duration) latencies {
	slices.Sort(all)
	l := latencies{N: len(all), Elapsed: elapsed}
	if len(all) > 0 {
		l.P50 = all[len(all)/2]
		l.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return l
}

// drive runs clients loops of step for d and returns the latencies of
// the steps that succeeded; the first failure ends the run.
func drive(ctx context.Context, clients int, d time.Duration, step func(ctx context.Context, client, i int) error) (latencies, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var first error
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 4096)
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t := time.Now()
				err := step(ctx, w, i)
				if err == errExhausted {
					break
				}
				if err != nil {
					mu.Lock()
					if first == nil && ctx.Err() == nil {
						first = err
					}
					mu.Unlock()
					cancel()
					break
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return latencies{}, first
	}
	return summarise(all, elapsed), nil
}

// errExhausted ends one client's loop early: it has nothing left to do.
var errExhausted = fmt.Errorf("nothing left")

// pageStep is one « Mes factures » of the client's next session.
func pageStep(c *http.Client, base string, sessions []*session, clients int) func(ctx context.Context, client, i int) error {
	return func(ctx context.Context, client, i int) error {
		s := sessions[(client+i*clients)%len(sessions)]
		status, page, _, err := s.request(ctx, c, http.MethodGet, base+"/factures", nil)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("GET /factures: %d\n%.1000s", status, page)
		}
		return nil
	}
}
