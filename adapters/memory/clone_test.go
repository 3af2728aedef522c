package memory

import (
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestCloneCoversEveryReferenceField guards the copies in and out of the
// store: a field that shares memory (slice, map, pointer) added to a
// record must be copied by its clone function, then listed here.
func TestCloneCoversEveryReferenceField(t *testing.T) {
	cloned := map[string]bool{
		"Payment.InvoiceIDs":     true, // clonePayment
		"Payment.InvoiceNumbers": true, // clonePayment
		"Biller.Hosts":           true, // cloneBiller
		"Document.Data":          true, // Document, SaveDocument
	}
	immutable := map[reflect.Type]bool{
		reflect.TypeFor[time.Time]():       true,
		reflect.TypeFor[decimal.Decimal](): true, // its operations never change a value
	}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		if immutable[typ] {
			return
		}
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				walk(path+"."+f.Name, f.Type)
			}
		case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			if !cloned[path[1:]] {
				t.Errorf("%s shares memory: copy it in the store's clone function and list it here", path[1:])
			}
		}
	}
	for _, record := range []any{
		domain.Biller{}, domain.Payer{}, domain.Account{}, domain.Token{},
		domain.Invoice{}, domain.Payment{}, domain.Message{}, ports.Session{},
		domain.Staff{}, domain.APIKey{}, domain.AuditEvent{}, domain.Document{}, domain.PaymentEvent{}, domain.Refund{},
	} {
		typ := reflect.TypeOf(record)
		walk("."+typ.Name(), typ)
	}
}
