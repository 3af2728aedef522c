package api

// Instant exposes instant to the package's external tests.
var Instant = instant

// MaxJSONBytes exposes maxJSONBytes to the external tests.
const MaxJSONBytes = maxJSONBytes

// Route is one method and path the API serves.
type Route struct{ Method, Path string }

// RegisteredRoutes are the methods and paths Routes registers.
func RegisteredRoutes() []Route {
	var out []Route
	for _, rt := range (&API{}).routes() {
		for method := range rt.methods {
			out = append(out, Route{method, rt.path})
		}
	}
	return out
}

// DomainErrorCodes are the API's codes of the domain's errors.
func DomainErrorCodes() []string {
	var out []string
	for _, c := range codes {
		out = append(out, c)
	}
	return out
}
