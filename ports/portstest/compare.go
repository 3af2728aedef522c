package portstest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
)

// Diff compares two records field by field and returns one line per
// difference, naming the field. It compares the way a store may give
// values back: decimals by value (2.5 equals 2.50), instants with
// time.Time.Equal (the same instant in another zone is equal) and a nil
// slice as equal to an empty one. Everything else must be identical.
func Diff(want, got any) []string {
	var out []string
	diffValues("", reflect.ValueOf(want), reflect.ValueOf(got), &out)
	return out
}

// AssertSame reports an error on tb, naming each differing field, unless
// want and got are the same record by the rules of Diff. It returns
// whether they are.
func AssertSame(tb testing.TB, want, got any, msgAndArgs ...any) bool {
	tb.Helper()
	diffs := Diff(want, got)
	if len(diffs) == 0 {
		return true
	}
	prefix := ""
	if len(msgAndArgs) > 0 {
		if format, ok := msgAndArgs[0].(string); ok {
			prefix = fmt.Sprintf(format, msgAndArgs[1:]...) + ": "
		}
	}
	for _, d := range diffs {
		tb.Errorf("%s%T differs: %s", prefix, want, d)
	}
	return false
}

func diffValues(path string, w, g reflect.Value, out *[]string) {
	name := path
	if name == "" {
		name = "value"
	}
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", name, w, g))
		}
		return
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: want type %s, got %s", name, w.Type(), g.Type()))
		return
	}
	switch w.Type() {
	case timeType:
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !wt.Equal(gt) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name, fmtTime(wt), fmtTime(gt)))
		}
		return
	case decimalType:
		wd, gd := w.Interface().(decimal.Decimal), g.Interface().(decimal.Decimal)
		if !wd.Equal(gd) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", name, wd, gd))
		}
		return
	}
	switch w.Kind() {
	case reflect.Struct:
		if !allExported(w.Type()) {
			break // opaque: compared as a whole below
		}
		for i := range w.NumField() {
			f := w.Type().Field(i)
			diffValues(join(path, f.Name), w.Field(i), g.Field(i), out)
		}
		return
	case reflect.Slice:
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: want %d elements %v, got %d elements %v", name, w.Len(), w, g.Len(), g))
			return
		}
		for i := range w.Len() {
			diffValues(fmt.Sprintf("%s[%d]", name, i), w.Index(i), g.Index(i), out)
		}
		return
	case reflect.Pointer:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: want %v, got %v", name, w, g))
			}
			return
		}
		diffValues(path, w.Elem(), g.Elem(), out)
		return
	}
	if !reflect.DeepEqual(w.Interface(), g.Interface()) {
		*out = append(*out, fmt.Sprintf("%s: want %v, got %v", name, w, g))
	}
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func allExported(t reflect.Type) bool {
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			return false
		}
	}
	return true
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero time"
	}
	return t.Format(time.RFC3339Nano)
}

// zeroFields lists the exported fields of the struct v, nested structs
// included, that hold their zero value. The round-trip tests use it to
// make sure their fixtures set every field, so that a field added to the
// domain later cannot escape them.
func zeroFields(v any) []string {
	var out []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Kind() == reflect.Struct && allExported(v.Type()) {
			for i := range v.NumField() {
				walk(join(path, v.Type().Field(i).Name), v.Field(i))
			}
			return
		}
		if v.IsZero() || (v.Kind() == reflect.Slice && v.Len() == 0) {
			out = append(out, path)
		}
	}
	walk("", reflect.ValueOf(v))
	return out
}
