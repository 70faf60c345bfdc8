package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/store"
)

func newAPIKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "apikeys", Aliases: []string{"apikey"},
		Short: "Manage API keys: create (the token is shown once), list, revoke"}
	cmd.AddCommand(newAPIKeysCreateCmd(g), newAPIKeysListCmd(g), newAPIKeysRevokeCmd(g))
	return cmd
}

// withKeys opens the store and the key service for one command.
func withKeys(cmd *cobra.Command, g *globals, fn func(keys *auth.Keys) error) error {
	st, err := server.OpenStore(cmd.Context(), g.config())
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(auth.NewKeys(st, auth.KeysOptions{}))
}

func newAPIKeysCreateCmd(g *globals) *cobra.Command {
	var name, role string
	var expires time.Duration
	cmd := &cobra.Command{
		Use:   "create --name NAME --role viewer|editor|admin",
		Short: "Create an API key and print its token once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var expiresAt *time.Time
			if expires < 0 {
				return fmt.Errorf("--expires %s: must be positive", expires)
			}
			if expires > 0 {
				t := time.Now().UTC().Add(expires)
				expiresAt = &t
			}
			return withKeys(cmd, g, func(keys *auth.Keys) error {
				token, key, err := keys.Create(cmd.Context(), name, role, expiresAt, "cli")
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), token)
				fmt.Fprintf(cmd.ErrOrStderr(), "Created API key %s (%s, role %s). The token above will not be shown again.\n"+
					"Send it as \"Authorization: ApiKey <token>\" or \"Authorization: Bearer <token>\".\n", key.ID, key.Name, key.Role)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "what the key is for (required)")
	cmd.Flags().StringVar(&role, "role", "", "viewer (read), editor (workflows, runs) or admin (connectors, keys) (required)")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h (default: never expires)")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func newAPIKeysListCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their secrets or hashes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withKeys(cmd, g, func(keys *auth.Keys) error {
				list, err := keys.List(cmd.Context())
				if err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(cmd.OutOrStdout(), apiKeyViews(list))
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
				for _, k := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, fmtTime(&k.CreatedAt),
						fmtTime(k.LastUsedAt), fmtTime(k.ExpiresAt), fmtTime(k.RevokedAt))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

func newAPIKeysRevokeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API key (running servers refuse it within 10 seconds)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withKeys(cmd, g, func(keys *auth.Keys) error {
				if err := keys.Revoke(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked API key %s\n", args[0])
				return nil
			})
		},
	}
}

// apiKeyView is the listed form of a key: no hash.
type apiKeyView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
}

func apiKeyViews(keys []*store.APIKey) []apiKeyView {
	out := make([]apiKeyView, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyView{ID: k.ID, Name: k.Name, Role: k.Role, CreatedAt: k.CreatedAt,
			CreatedBy: k.CreatedBy, LastUsedAt: k.LastUsedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt})
	}
	return out
}
