package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/workflow"
)

// Outcomes of applying one file.
const (
	applyCreated    = "created"
	applyConfigured = "configured"
	applyUnchanged  = "unchanged"
)

func newApplyCmd(g *globals) *cobra.Command {
	var recursive bool
	cmd := &cobra.Command{
		Use:   "apply DIR|FILE...",
		Short: "Create or update workflows on the server from YAML files, matched by workflow name",
		Long: "Apply each workflow file to the server, like kubectl apply: a workflow whose name is not\n" +
			"on the server is created, one whose YAML differs is updated, the rest are left unchanged.\n" +
			"Directories give their *.yaml and *.yml files (-R: and those of their subdirectories).\n" +
			"The server comes from --server, ERRAND_SERVER or the client config file.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client(true)
			if err != nil {
				return err
			}
			files, err := workflowFiles(args, recursive)
			if err != nil {
				return err
			}
			failed := false
			for _, file := range files {
				if err := applyFile(cmd, c, file); err != nil {
					printRemoteError(cmd, file, err)
					failed = true
				}
			}
			if failed {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "also apply the files of subdirectories")
	return cmd
}

// errInvalidStored is an apply whose workflow the server stored but marked invalid.
var errInvalidStored = errors.New("the server stored the workflow as invalid")

// applyFile creates or updates the workflow of one file and prints the outcome.
func applyFile(cmd *cobra.Command, c *client.Client, file string) error {
	src, err := readFile(file)
	if err != nil {
		return err
	}
	name := workflowName(src)
	outcome, wf, err := applyYAML(cmd, c, name, string(src))
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "workflow/%s %s (%s)\n", wf.Name, outcome, file)
	if len(wf.ValidationErrors) > 0 || !wf.Valid {
		printServerDiagnostics(cmd, file, wf.ValidationErrors)
		return fmt.Errorf("applying %s: %w", file, errInvalidStored)
	}
	return nil
}

// applyYAML creates the workflow named name when the server has none, or updates it when
// its YAML differs. A file without a readable name is sent to create, so that the server's
// diagnostics say what is wrong.
func applyYAML(cmd *cobra.Command, c *client.Client, name, src string) (string, *client.Workflow, error) {
	ctx := cmd.Context()
	var existing *client.Workflow
	if name != "" {
		var err error
		existing, err = c.WorkflowByName(ctx, name)
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			return "", nil, err
		}
	}
	if existing == nil {
		wf, err := c.CreateWorkflow(ctx, src, "")
		return applyCreated, wf, err
	}
	current, err := c.GetWorkflow(ctx, existing.ID)
	if err != nil {
		return "", nil, err
	}
	if current.YAML == src {
		return applyUnchanged, current, nil
	}
	res, err := c.UpdateWorkflow(ctx, existing.ID, client.WorkflowUpdate{YAML: &src})
	if err != nil {
		return "", nil, err
	}
	current.Valid, current.ValidationErrors = res.Valid, res.ValidationErrors
	return applyConfigured, current, nil
}

// workflowName reads the name field of a workflow document, "" when it has none.
func workflowName(src []byte) string {
	wf, _ := workflow.Parse(src)
	if wf == nil {
		return ""
	}
	return wf.Name
}

// workflowFiles expands the arguments: files as given, directories to their YAML files in
// lexical order (recursively with recursive).
func workflowFiles(args []string, recursive bool) ([]string, error) {
	var files []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", arg, err)
		}
		if !fi.IsDir() {
			files = append(files, arg)
			continue
		}
		found, err := yamlFilesIn(arg, recursive)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml or *.yml files in %s", strings.Join(args, ", "))
	}
	return files, nil
}

func yamlFilesIn(dir string, recursive bool) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && !recursive {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	sort.Strings(files)
	return files, nil
}
