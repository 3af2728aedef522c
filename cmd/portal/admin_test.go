package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestAdminCommandArguments(t *testing.T) {
	id := uuid.NewString()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"staff"}, "staff needs a subcommand: add, disable, list"},
		{[]string{"biller", "--name", "x"}, "biller needs a subcommand"},
		{[]string{"staff", "remove", "--biller", id}, "staff remove: unknown; want one of add, disable, list"},
		{[]string{"staff", "add", "--email", "a@b.fr"}, "staff add: needs --biller ID"},
		{[]string{"staff", "add", "--biller", "x", "--email", "a@b.fr"}, "staff add: needs --biller ID"},
		{[]string{"staff", "add", "--biller", id}, "staff add: needs --email"},
		{[]string{"staff", "list", "--biller", id, "extra"}, `staff list: takes no arguments, got ["extra"]`},
		{[]string{"biller", "add", "--name", "Commune"}, "biller add: needs --name and --numcli"},
		{[]string{"biller", "add", "--name", "Commune", "--numcli", "004200", "--id", "x"}, `biller add: --id "x" is not an id`},
		{[]string{"biller", "hosts", "factures.exemple.fr"}, "biller hosts: needs --biller ID"},
	} {
		code, _, errOut := runCommand(t, c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Contains(t, errOut, c.want, "%v", c.args)
	}
	code, out, _ := runCommand(t, "help")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "portal staff add --biller ID --email ADDRESS")
	assert.Contains(t, out, "Flags of biller and staff:")
}

var billerIDRE = regexp.MustCompile(`biller ([0-9a-f-]{36}) created`)
var passwordRE = regexp.MustCompile(`password \(shown once[^:]*\): (\S+)`)

func TestBillerAndStaffCommands(t *testing.T) {
	url := pgtest.NewURL(t)
	code, out, errOut := runCommand(t, "biller", "add", "--database-url", url, "--name", "Syndicat des eaux d'Autreville",
		"--numcli", "009900", "--email", "factures@autreville.fr", "--host", "Factures.Autreville.fr.", "--host", "autreville.fr")
	require.Equal(t, 0, code, errOut)
	m := billerIDRE.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	biller := m[1]
	assert.Contains(t, out, "hosts factures.autreville.fr, autreville.fr", "host names are normalised")

	code, _, errOut = runCommand(t, "biller", "add", "--database-url", url, "--name", "Autre", "--numcli", "009901", "--host", "autreville.fr")
	assert.Equal(t, 1, code, "a host belongs to one biller")
	assert.Contains(t, errOut, "autreville.fr")
	code, _, errOut = runCommand(t, "biller", "add", "--database-url", url, "--name", "Autre", "--numcli", "99")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "6 chiffres")

	code, out, errOut = runCommand(t, "biller", "hosts", "--database-url", url, "--biller", biller, "factures.autreville.fr", "www.autreville.fr")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "now serves hosts factures.autreville.fr, www.autreville.fr")
	code, _, errOut = runCommand(t, "biller", "hosts", "--database-url", url, "--biller", biller, "https://x.fr/")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "nom d'hôte")

	code, out, errOut = runCommand(t, "biller", "list", "--database-url", url)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, biller+`\s+Syndicat des eaux d'Autreville\s+009900\s+T\s+factures.autreville.fr www.autreville.fr`, out)

	// A generated password, printed once, that logs in.
	code, out, errOut = runCommand(t, "staff", "add", "--database-url", url, "--biller", biller, "--email", "Agent@Autreville.fr", "--name", "Camille Agent")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "staff member agent@autreville.fr created for biller "+biller+", role gestionnaire")
	pw := passwordRE.FindStringSubmatch(out)
	require.NotNil(t, pw, out)
	login := func(email, password string) error {
		db, err := postgres.Open(context.Background(), url, postgres.Options{})
		require.NoError(t, err)
		defer db.Close()
		p, err := ports.NewPortal(ports.Deps{Store: db, Sessions: db, Mailer: refusingMailer{}, Gateway: refusingGateway{}},
			ports.Config{PublicURL: "https://factures.autreville.fr"})
		require.NoError(t, err)
		_, _, _, err = p.BackOffice().StaffLogin(context.Background(), uuid.MustParse(biller), email, password, "")
		return err
	}
	require.NoError(t, login("agent@autreville.fr", pw[1]))

	// A password from standard input, and a role change.
	code, out, errOut = runCommandWithInput(t, "un mot de passe choisi\n", "staff", "add", "--database-url", url, "--biller", biller,
		"--email", "agent@autreville.fr", "--role", "lecture", "--password-stdin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "updated")
	assert.NotContains(t, out, "password (shown once")
	require.NoError(t, login("agent@autreville.fr", "un mot de passe choisi"))
	code, _, errOut = runCommandWithInput(t, "court\n", "staff", "add", "--database-url", url, "--biller", biller,
		"--email", "b@autreville.fr", "--password-stdin")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "12 caractères")
	code, _, errOut = runCommand(t, "staff", "add", "--database-url", url, "--biller", biller, "--email", "c@autreville.fr", "--role", "chef")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "gestionnaire")

	// The operator names the biller's first administrator, who manages
	// the rest of the staff from the back office.
	code, out, errOut = runCommand(t, "staff", "add", "--database-url", url, "--biller", biller, "--email", "chef@autreville.fr", "--role", "administrateur")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "staff member chef@autreville.fr created for biller "+biller+", role administrateur")
	require.NoError(t, login("chef@autreville.fr", passwordRE.FindStringSubmatch(out)[1]))

	code, out, errOut = runCommand(t, "staff", "list", "--database-url", url, "--biller", biller)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `agent@autreville.fr\s+Camille Agent\s+lecture\s+active\s+\d{4}-`, out)
	assert.Regexp(t, `chef@autreville.fr\s+administrateur\s+active`, out)

	code, out, errOut = runCommand(t, "staff", "disable", "--database-url", url, "--biller", biller, "--email", "agent@autreville.fr")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "disabled")
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(login("agent@autreville.fr", "un mot de passe choisi")))
	code, out, _ = runCommand(t, "staff", "list", "--database-url", url, "--biller", biller)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "disabled")

	code, _, errOut = runCommand(t, "staff", "list", "--database-url", url, "--biller", uuid.NewString())
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Service de facturation inconnu")
}
