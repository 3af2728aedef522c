// Package metricstest reads the portal's metrics as Prometheus would, for
// tests: a scrape over HTTP, parsed, and the value of one series.
package metricstest

import (
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// Families are a scrape's metric families by name.
type Families map[string]*dto.MetricFamily

// Scrape gets url over HTTP and parses the text exposition.
func Scrape(tb testing.TB, url string) Families {
	tb.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	require.NoError(tb, err)
	defer resp.Body.Close()
	require.Equal(tb, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(tb, err)
	return fams
}

// Value returns the value of the series of family fam whose labels
// include labels (name, value pairs) — a histogram's count of
// observations — and whether there is one.
func (f Families) Value(fam string, labels ...string) (float64, bool) {
next:
	for _, m := range f[fam].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}
