package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/connector"
	connbuiltin "github.com/errand-dev/errand/internal/connector/builtin"
)

// errRemoteUnsupported is a connectors command that only runs against the local store.
var errRemoteUnsupported = errors.New("not available with --server")

// localOnly refuses a command that needs the local store and its keys when a server is
// named, instead of silently acting on the local store.
func localOnly(g *globals, what, why string) error {
	if !g.remote() {
		return nil
	}
	return fmt.Errorf("%s: %w (%s); unset --server and ERRAND_SERVER to run it on the server host", what, errRemoteUnsupported, why)
}

// fromRemote converts an API connector to the form the local commands print.
func fromRemote(rc *client.Connector) (*connector.Connector, error) {
	c := &connector.Connector{ID: rc.ID, Name: rc.Name, TypeID: rc.ConnectorTypeID, Config: map[string]any{},
		IsPreconfigured: rc.IsPreconfigured, IsDeprecated: rc.IsDeprecated, IsMissingSecrets: rc.IsMissingSecrets}
	if len(rc.Config) > 0 && string(rc.Config) != "null" {
		if err := json.Unmarshal(rc.Config, &c.Config); err != nil {
			return nil, fmt.Errorf("decoding the config of connector %q: %w", rc.ID, err)
		}
	}
	return c, nil
}

// remoteConnectorList lists the server's connectors.
func remoteConnectorList(cmd *cobra.Command, g *globals) error {
	api, err := g.client(false)
	if err != nil {
		return err
	}
	list, err := api.ListConnectors(cmd.Context())
	if err != nil {
		return err
	}
	out := make([]*connector.Connector, 0, len(list))
	for i := range list {
		c, err := fromRemote(&list[i])
		if err != nil {
			return err
		}
		out = append(out, c)
	}
	if g.output == "json" {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTYPE\tPRECONFIGURED\tMISSING SECRETS")
	for _, c := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", c.ID, c.Name, c.TypeID, c.IsPreconfigured, c.IsMissingSecrets)
	}
	return tw.Flush()
}

// findRemoteConnector finds a connector on the server by id, then by name.
func findRemoteConnector(cmd *cobra.Command, api *client.Client, ref string) (*client.Connector, error) {
	c, err := api.GetConnector(cmd.Context(), ref)
	if !errors.Is(err, client.ErrNotFound) {
		return c, err
	}
	list, lerr := api.ListConnectors(cmd.Context())
	if lerr != nil {
		return nil, lerr
	}
	for i := range list {
		if list[i].Name == ref {
			return &list[i], nil
		}
	}
	return nil, err
}

// remoteConnectorGet prints one of the server's connectors.
func remoteConnectorGet(cmd *cobra.Command, g *globals, ref string) error {
	api, err := g.client(false)
	if err != nil {
		return err
	}
	rc, err := findRemoteConnector(cmd, api, ref)
	if err != nil {
		return err
	}
	return printRemoteConnector(cmd, g, rc)
}

// printRemoteConnector prints a server connector as the local commands do.
func printRemoteConnector(cmd *cobra.Command, g *globals, rc *client.Connector) error {
	c, err := fromRemote(rc)
	if err != nil {
		return err
	}
	return printConnector(cmd.OutOrStdout(), g.output, c)
}

// remoteConnectorCreate creates a connector on the server; secrets come from a file,
// stdin or a prompt, as locally.
func remoteConnectorCreate(cmd *cobra.Command, g *globals, f *connectorFlags) error {
	api, err := g.client(false)
	if err != nil {
		return err
	}
	cf, err := f.collect(cmd, connbuiltin.NewRegistry())
	if err != nil {
		return err
	}
	rc, err := api.CreateConnector(cmd.Context(), client.ConnectorCreate{ID: cf.ID, Name: cf.Name,
		ConnectorTypeID: cf.TypeID, Config: cf.Config, Secrets: cf.Secrets})
	if err != nil {
		return err
	}
	return printRemoteConnector(cmd, g, rc)
}

// remoteConnectorUpdate updates a connector on the server: secrets left out are kept and
// a secret set to null is cleared.
func remoteConnectorUpdate(cmd *cobra.Command, g *globals, f *connectorFlags, ref string) error {
	api, err := g.client(false)
	if err != nil {
		return err
	}
	cur, err := findRemoteConnector(cmd, api, ref)
	if err != nil {
		return err
	}
	f.typeID = cur.ConnectorTypeID
	cf, err := f.collect(cmd, connbuiltin.NewRegistry())
	if err != nil {
		return err
	}
	rc, err := api.UpdateConnector(cmd.Context(), cur.ID, client.ConnectorUpdate{Name: firstOf(cf.Name, cur.Name),
		Config: cf.Config, Secrets: cf.Secrets})
	if err != nil {
		return err
	}
	return printRemoteConnector(cmd, g, rc)
}

// remoteConnectorDelete deletes a connector on the server.
func remoteConnectorDelete(cmd *cobra.Command, g *globals, ref string) error {
	api, err := g.client(false)
	if err != nil {
		return err
	}
	rc, err := findRemoteConnector(cmd, api, ref)
	if err != nil {
		return err
	}
	if err := api.DeleteConnector(cmd.Context(), rc.ID); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "deleted connector %s (%s)\n", rc.ID, rc.Name)
	return nil
}

// remoteConnectorTest runs a connector's connection test on the server.
func remoteConnectorTest(cmd *cobra.Command, g *globals, ref string) error {
	api, err := g.client(false)
	if err != nil {
		return err
	}
	rc, err := findRemoteConnector(cmd, api, ref)
	if err != nil {
		return err
	}
	res, err := api.TestConnector(cmd.Context(), rc.ID)
	if err != nil {
		return err
	}
	return printTestResult(cmd, g, res, res.Status, res.Message, res.ServiceMessage)
}
