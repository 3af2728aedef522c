package kit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/ports"
)

func TestLimiterMemoryIsBounded(t *testing.T) {
	m := newMemoryLimiter(ports.Rate{Events: 1, Per: time.Minute}, 100)
	now := time.Now()
	for i := range 1000 {
		ok, _ := m.Allow(context.Background(), fmt.Sprint("ip-", i), now.Add(time.Duration(i)*time.Millisecond))
		require.True(t, ok)
	}
	assert.LessOrEqual(t, m.size(), 100)
	ok, wait := m.Allow(context.Background(), "ip-999", now.Add(time.Second))
	assert.False(t, ok, "a recent key is kept")
	assert.Greater(t, wait, 50*time.Second)
	// Idle keys are dropped first.
	later := now.Add(2 * time.Minute)
	ok, _ = m.Allow(context.Background(), "new", later)
	assert.True(t, ok)
	assert.LessOrEqual(t, m.size(), 100)
}

func TestRemoteIPGroupsIPv6ByPrefix(t *testing.T) {
	r := &http.Request{RemoteAddr: "[2001:db8:1:2:3:4:5:6]:4242"}
	assert.Equal(t, "2001:db8:1:2::/64", remoteIP(r))
	r.RemoteAddr = "192.0.2.7:80"
	assert.Equal(t, "192.0.2.7", remoteIP(r))
	r.RemoteAddr = "[::ffff:192.0.2.7]:80"
	assert.Equal(t, "192.0.2.7", remoteIP(r))
}

func TestClientIPFromHeader(t *testing.T) {
	get := ClientIPFromHeader("X-Forwarded-For")
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:4567"
	assert.Equal(t, "10.0.0.2", get(r), "no header: the connection")
	r.Header.Add("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
	assert.Equal(t, "203.0.113.7", get(r), "the address the proxy added, not the client's claim")
	r.Header.Set("X-Forwarded-For", "2001:db8:1:2:3:4:5:6")
	assert.Equal(t, "2001:db8:1:2::/64", get(r))
	r.Header.Set("X-Forwarded-For", "n'importe quoi")
	assert.Equal(t, "10.0.0.2", get(r))
	real := ClientIPFromHeader("X-Real-IP")
	r.Header.Set("X-Real-IP", "198.51.100.4")
	assert.Equal(t, "198.51.100.4", real(r))
}
