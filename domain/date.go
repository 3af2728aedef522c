package domain

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Paris must be known even on a machine without tzdata
)

// Paris is the time zone of every date a citizen or a billing service sees,
// and of PayFiP's dattrans/heurtrans (docs/payfip.md §3.9).
var Paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("domain: time zone " + name + " unavailable: " + err.Error())
	}
	return loc
}

// Date is a calendar date without a time of day, such as an invoice's issue
// date or due date. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalised as time.Date does.
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC), time.UTC)
}

// DateOf returns the calendar date of the instant t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today returns the date in Paris at instant now.
func Today(now time.Time) Date { return DateOf(now, Paris) }

// ParseDate reads a date written 2006-01-02 or 02/01/2006.
func ParseDate(s string) (Date, error) {
	if d, ok := parseDateDigits(s); ok {
		return d, nil
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t, time.UTC), nil
		}
	}
	return Date{}, fmt.Errorf("date %q: expected YYYY-MM-DD or JJ/MM/AAAA", s)
}

// parseDateDigits reads the usual forms of ParseDate, 2006-01-02 and
// 02/01/2006 with every digit written, without time.Parse: an import
// reads two dates per invoice line, and one more per invoice it finds.
// Anything else, or a day the month lacks, is left to time.Parse and
// its error.
func parseDateDigits(s string) (Date, bool) {
	if len(s) != 10 {
		return Date{}, false
	}
	var y, m, d int
	var ok bool
	switch {
	case s[4] == '-' && s[7] == '-':
		y, ok = digits(s[0:4])
		m, ok = digitsAnd(ok, s[5:7])
		d, ok = digitsAnd(ok, s[8:10])
	case s[2] == '/' && s[5] == '/':
		d, ok = digits(s[0:2])
		m, ok = digitsAnd(ok, s[3:5])
		y, ok = digitsAnd(ok, s[6:10])
	}
	if !ok || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func digitsAnd(ok bool, s string) (int, bool) {
	if !ok {
		return 0, false
	}
	return digits(s)
}

// daysIn is the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar date.
func (d Date) Valid() bool {
	return !d.IsZero() && NewDate(d.Year, d.Month, d.Day) == d && d.Year >= 1900 && d.Year <= 9999
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Time returns midnight at the start of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String writes d as 2006-01-02.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// French writes d as the manual does: 21/07/2017.
func (d Date) French() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
