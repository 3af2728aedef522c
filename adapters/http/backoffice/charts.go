package backoffice

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The dashboard's charts (issue 16, part 5), laid out here and drawn as
// inline SVG by home.html: no script, so they show without JavaScript.
// Each is a picture for those who would rather look (role="img", named by
// its heading and a sentence that sends to its table) followed by the
// same figures in a table, its accessible version (RGAA 1.6: the detailed
// description of a complex image, next to it). No series is told by
// colour alone (RGAA 3.1): each has its pattern or marker and dash, named
// in the legend, and every colour stands at least 3:1 against the white
// background (RGAA 3.3), the text 4.5:1.
//
// The coordinates are units of the viewBox; the SVG takes the width of
// its column (width 100%, up to 36rem), so a 320-unit box drawn on a
// 360 px screen (about 328 px of column) keeps its 14-unit text at 14 px,
// and at 320 px at 12.5 px.

// chartWidth is the width of every chart's viewBox.
const chartWidth = 320

// px is a coordinate, written with one decimal.
type px float64

func (p px) String() string { return strconv.FormatFloat(float64(p), 'f', 1, 64) }

// chartsView is what home.html draws: the three charts and their tables.
type chartsView struct {
	Collected collectedChart
	Ages      agesChart
	TakeUp    takeUpChart
	// Today is the Paris day the ages count from.
	Today domain.Date
	// At is when the figures were computed; zero when computed for this
	// page.
	At time.Time
}

// tick is a line of the value axis and its label.
type tick struct {
	Y     px
	Label string
}

// xLabel is a month's name under its column or point.
type xLabel struct {
	X, Y  px
	Label string
}

// collectedChart is « Montants encaissés par mois »: one stacked column
// per month (a segment per channel) and the same month's total a year
// earlier as a dashed line with diamonds.
type collectedChart struct {
	Height        int
	Left, Right   px
	Top, Baseline px
	Ticks         []tick
	Labels        []xLabel
	Segments      []segment
	// Before is the year-before line's points; Diamonds its markers.
	Before   string
	Diamonds []string
	Months   []ports.CollectedMonth
	Channels []domain.PaymentChannel
	// Series are the legend's entries, in the channels' order.
	Series []series
}

// segment is one channel's part of a month's column.
type segment struct {
	X, Y, W, H px
	series
}

// series is how a channel is drawn: its fill (a colour, or one of
// home.html's patterns over it) and outline, and its name in the legend.
type series struct {
	Fill, Stroke, Label string
}

// agesChart is « Restes à recouvrer par ancienneté »: one horizontal bar
// per age band, its label and amount written above it.
type agesChart struct {
	Height int
	Rows   []ageRow
	Ages   []ports.OutstandingAge
}

// ageRow is one band's label, amount and bar.
type ageRow struct {
	TextY, BarY, BarW px
	Label             string
	Amount            string
	Invoices          int
}

// takeUpChart is « Adhésion au portail »: two lines over the months on a
// 0–100 % axis, accounts activated ÷ payers (solid, circles) and the
// share of invoices paid online (dashed, squares).
type takeUpChart struct {
	Height        int
	Left, Right   px
	Top, Baseline px
	Ticks         []tick
	Labels        []xLabel
	// Activated and Online are polylines' points; a month without a paid
	// invoice breaks the online line (no share that month).
	Activated, Online []string
	Circles           []point
	Squares           []point
	Months            []ports.TakeUpMonth
}

// point is a marker's centre.
type point struct{ X, Y px }

// The charts' colours, each at least 3:1 against white (RGAA 3.3) and
// 4.5:1 where text uses them: blue 8.6:1, brown 6.6:1, green 6.4:1.
const (
	blue  = "#1d4f91"
	brown = "#8f4a00"
	green = "#2e6b30"
)

// channelSeries draws each channel: plain blue online, white stripes on
// brown at the counter, white dots on green for declarations; the
// patterns (defined in home.html) tell them apart without colour.
var channelSeries = map[domain.PaymentChannel]series{
	domain.ChannelOnline:   {Fill: blue, Stroke: blue},
	domain.ChannelCounter:  {Fill: "url(#motif-guichet)", Stroke: brown},
	domain.ChannelDeclared: {Fill: "url(#motif-declaree)", Stroke: green},
}

// newChartsView lays out the charts of c.
func newChartsView(c ports.BoardCharts) chartsView {
	return chartsView{
		Collected: layoutCollected(c.Collected),
		Ages:      layoutAges(c.Outstanding),
		TakeUp:    layoutTakeUp(c.TakeUp),
		Today:     c.Today,
		At:        c.At,
	}
}

// The plots' margins: room for the value axis' labels on the left, and
// for the months' slanted names below.
const (
	plotLeft   = 58
	plotRight  = chartWidth - 4
	plotTop    = 14
	plotHeight = 170
)

func layoutCollected(months []ports.CollectedMonth) collectedChart {
	c := collectedChart{Height: plotTop + plotHeight + 62, Left: plotLeft, Right: plotRight, Top: plotTop,
		Baseline: plotTop + plotHeight, Months: months, Channels: domain.PaymentChannels}
	for _, ch := range domain.PaymentChannels {
		st := channelSeries[ch]
		st.Label = ch.Label()
		c.Series = append(c.Series, st)
	}
	highest := 0.0
	for _, m := range months {
		highest = max(highest, m.Total.InexactFloat64(), m.YearBefore.InexactFloat64())
	}
	top, step := niceScale(highest)
	y := func(v float64) float64 { return plotTop + plotHeight - v/top*plotHeight }
	for v := 0.0; v <= top+step/2; v += step {
		c.Ticks = append(c.Ticks, tick{Y: px(y(v)), Label: wholeEuros(v)})
	}
	slot := float64(plotRight-plotLeft) / float64(max(len(months), 1))
	var before []string
	for i, m := range months {
		x := plotLeft + slot*float64(i)
		mid := x + slot/2
		width := slot * 0.62
		base := 0.0
		for _, ch := range domain.PaymentChannels {
			v := m.ByChannel[ch].InexactFloat64()
			if v <= 0 {
				continue
			}
			h := v / top * plotHeight
			c.Segments = append(c.Segments, segment{X: px(mid - width/2), Y: px(y(base + v)), W: px(width), H: px(h), series: channelSeries[ch]})
			base += v
		}
		by := y(m.YearBefore.InexactFloat64())
		before = append(before, fmt.Sprintf("%s,%s", px(mid), px(by)))
		c.Diamonds = append(c.Diamonds, diamond(mid, by))
		c.Labels = append(c.Labels, xLabel{X: px(mid), Y: px(plotTop + plotHeight + 12), Label: shortMonth(m.Month)})
	}
	c.Before = strings.Join(before, " ")
	return c
}

func layoutAges(ages []ports.OutstandingAge) agesChart {
	const row = 48
	c := agesChart{Height: row*len(ages) + 4, Ages: ages}
	highest := 0.0
	for _, a := range ages {
		highest = max(highest, a.Amount.InexactFloat64())
	}
	for i, a := range ages {
		w := 0.0
		if highest > 0 {
			w = a.Amount.InexactFloat64() / highest * (chartWidth - 2)
		}
		if w > 0 && w < 2 {
			w = 2 // a small amount still shows
		}
		y := float64(row * i)
		c.Rows = append(c.Rows, ageRow{TextY: px(y + 16), BarY: px(y + 22), BarW: px(w),
			Label: a.Age.Label(), Amount: domain.FormatEuros(a.Amount), Invoices: a.Invoices})
	}
	return c
}

func layoutTakeUp(months []ports.TakeUpMonth) takeUpChart {
	c := takeUpChart{Height: plotTop + plotHeight + 62, Left: plotLeft, Right: plotRight, Top: plotTop,
		Baseline: plotTop + plotHeight, Months: months}
	y := func(share decimal.Decimal) float64 {
		return plotTop + plotHeight - share.InexactFloat64()/100*plotHeight
	}
	for v := int64(0); v <= 100; v += 25 {
		c.Ticks = append(c.Ticks, tick{Y: px(y(decimal.NewFromInt(v))), Label: strconv.FormatInt(v, 10) + " %"})
	}
	slot := float64(plotRight-plotLeft) / float64(max(len(months), 1))
	var activated, online []string
	for i, m := range months {
		mid := plotLeft + slot*float64(i) + slot/2
		ay := y(m.ActivatedShare)
		activated = append(activated, fmt.Sprintf("%s,%s", px(mid), px(ay)))
		c.Circles = append(c.Circles, point{X: px(mid), Y: px(ay)})
		if m.HasPaid {
			oy := y(m.OnlineShare)
			online = append(online, fmt.Sprintf("%s,%s", px(mid), px(oy)))
			c.Squares = append(c.Squares, point{X: px(mid), Y: px(oy)})
		} else if len(online) > 0 {
			c.Online = append(c.Online, strings.Join(online, " "))
			online = nil
		}
		c.Labels = append(c.Labels, xLabel{X: px(mid), Y: px(plotTop + plotHeight + 12), Label: shortMonth(m.Month)})
	}
	c.Activated = []string{strings.Join(activated, " ")}
	if len(online) > 0 {
		c.Online = append(c.Online, strings.Join(online, " "))
	}
	return c
}

// niceScale returns the top of a value axis holding highest in four
// round steps (1, 2, 2.5 or 5 times a power of ten), and the step.
func niceScale(highest float64) (top, step float64) {
	if highest <= 0 {
		return 100, 25
	}
	raw := highest / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if step = f * pow; step >= raw {
			break
		}
	}
	return step * 4, step
}

// wholeEuros writes an axis value in whole euros: "12 500 €".
func wholeEuros(v float64) string {
	s := domain.FormatEuros(decimal.NewFromFloat(v).Round(0))
	return strings.Replace(s, ",00", "", 1)
}

// diamond is the polygon of a year-before marker centred on x, y.
func diamond(x, y float64) string {
	const r = 5
	return fmt.Sprintf("%s,%s %s,%s %s,%s %s,%s", px(x), px(y-r), px(x+r), px(y), px(x), px(y+r), px(x-r), px(y))
}

var shortMonths = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

var longMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// shortMonth names a month under the axis: "janv. 26".
func shortMonth(d domain.Date) string {
	return fmt.Sprintf("%s %02d", shortMonths[d.Month-1], d.Year%100)
}

// longMonth names a month in the tables: "janvier 2026".
func longMonth(d domain.Date) string {
	return fmt.Sprintf("%s %d", longMonths[d.Month-1], d.Year)
}

// percentText writes a share: "42,5 %".
func percentText(d decimal.Decimal) string {
	return strings.Replace(d.StringFixed(1), ".", ",", 1) + "\u00a0%"
}

// chartFuncs are the templates' helpers for the charts' tables.
var chartFuncs = map[string]any{"month": longMonth, "percent": percentText}
