package api

// Instant exposes instant to the package's external tests.
var Instant = instant

// MaxJSONBytes exposes maxJSONBytes to the external tests.
const MaxJSONBytes = maxJSONBytes
