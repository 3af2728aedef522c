package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestAPIKeyCommandArguments(t *testing.T) {
	biller := demo.BillerID.String()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"apikey"}, "apikey needs a subcommand: create, revoke, list"},
		{[]string{"apikey", "--biller", biller}, "apikey needs a subcommand"},
		{[]string{"apikey", "delete", "--biller", biller}, "apikey delete: unknown; want one of create, revoke, list"},
		{[]string{"apikey", "create", "--name", "Logiciel"}, "apikey create: needs --biller ID"},
		{[]string{"apikey", "create", "--biller", "demo", "--name", "Logiciel"}, "apikey create: needs --biller ID"},
		{[]string{"apikey", "create", "--biller", biller}, "apikey create: needs --name"},
		{[]string{"apikey", "revoke", "--biller", biller}, "apikey revoke: needs --id KEY"},
		{[]string{"apikey", "list", "--biller", biller, "extra"}, `apikey list: takes no arguments, got ["extra"]`},
	} {
		code, _, errOut := runCommand(t, c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Contains(t, errOut, c.want, "%v", c.args)
	}
	code, out, _ := runCommand(t, "help")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "portal apikey create --biller ID --name NAME")
	assert.Contains(t, out, "Flags of apikey:")
}

var secretRE = regexp.MustCompile(`(?m)^` + domain.APIKeyPrefix + `[A-Za-z0-9_-]{40,}$`)
var keyIDRE = regexp.MustCompile(`API key ([0-9a-f-]{36}) created`)

func TestAPIKeyCommands(t *testing.T) {
	url := pgtest.NewURL(t)
	code, _, errOut := runCommand(t, "demo-seed", "--database-url", url)
	require.Equal(t, 0, code, errOut)
	biller := demo.BillerID.String()

	code, out, errOut := runCommand(t, "apikey", "create", "--database-url", url, "--biller", biller, "--name", "Logiciel de facturation")
	require.Equal(t, 0, code, errOut)
	secret := secretRE.FindString(out)
	require.NotEmpty(t, secret, out)
	id := keyIDRE.FindStringSubmatch(out)[1]

	code, out, errOut = runCommand(t, "apikey", "list", "--database-url", url, "--biller", biller)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, id)
	assert.Contains(t, out, "Logiciel de facturation")
	assert.Contains(t, out, secret[:10]+"…", "the hint")
	assert.Contains(t, out, "Ligne de commande", "who made the key")
	assert.NotContains(t, out, secret, "the secret is shown once")

	other := "00000000-0000-4000-8000-00000000dead"
	code, _, errOut = runCommand(t, "apikey", "revoke", "--database-url", url, "--biller", other, "--id", id)
	assert.Equal(t, 1, code, "a key of another biller is not found")
	assert.Contains(t, errOut, "inconnue")

	code, out, errOut = runCommand(t, "apikey", "revoke", "--database-url", url, "--biller", biller, "--id", id)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "revoked")
	code, out, _ = runCommand(t, "apikey", "list", "--database-url", url, "--biller", biller)
	require.Equal(t, 0, code)
	line := out[strings.Index(out, id):]
	assert.Regexp(t, `\d{4}-\d\d-\d\d \d\d:\d\d\s*$`, strings.SplitN(line, "\n", 2)[0], "the revocation date")

	code, _, errOut = runCommand(t, "apikey", "create", "--database-url", url, "--biller", other, "--name", "X")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Service de facturation inconnu")
}
