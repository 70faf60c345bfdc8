package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/errand-dev/errand/internal/client"
)

// workflowYAML is the 3-step workflow under load; TARGET is the fake API's URL.
const workflowYAML = `name: load-webhook
description: Load test — a webhook call fetches an item from a local fake API, shapes it and logs it.
enabled: true
triggers:
  - type: webhook
    auth:
      type: none
    inputs:
      - name: n
        type: number
        default: 0
steps:
  - name: fetch
    type: http
    with:
      url: "TARGET/items/{{ inputs.n }}"
      method: GET
  - name: shape
    type: data.set
    with:
      id: "${{ steps.fetch.output.data.id }}"
      label: "item {{ steps.fetch.output.data.id }} ({{ steps.fetch.output.data.state }})"
  - name: report
    type: console
    with:
      message: "done {{ variables.label }}"
`

// target is the fake API the http step calls.
type target struct {
	url  string
	srv  *http.Server
	hits atomic.Int64
}

// startTarget serves GET /items/{n} → {"id": n, "state": "open"} on loopback.
func startTarget() (*target, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the fake API: %w", err)
	}
	t := &target{url: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{n}", func(w http.ResponseWriter, r *http.Request) {
		t.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("n"), "state": "open"})
	})
	t.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = t.srv.Serve(ln) }()
	return t, nil
}

func (t *target) close() { _ = t.srv.Close() }

// errandServer is an `errand serve` process this program started.
type errandServer struct {
	cmd    *exec.Cmd
	url    string
	apiKey string
	tmp    string
}

// startErrand starts `errand serve` on a free loopback port with a bootstrap API key and
// waits until /readyz answers 200.
func startErrand(ctx context.Context, o options) (*errandServer, error) {
	s := &errandServer{}
	dataDir := o.dataDir
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "errand-load-")
		if err != nil {
			return nil, fmt.Errorf("creating a data directory: %w", err)
		}
		s.tmp, dataDir = tmp, tmp
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	id, secret := "load"+randomString(8), randomString(32)
	s.url, s.apiKey = "http://"+addr, base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	args := []string{"serve", "--listen", addr, "--data-dir", dataDir, "--log-format", "text"}
	if o.workers > 0 {
		args = append(args, "--workers", fmt.Sprint(o.workers))
	}
	s.cmd = exec.Command(o.errand, args...)
	s.cmd.Env = append(os.Environ(), "ERRAND_BOOTSTRAP_API_KEY="+id+":"+secret, "ERRAND_LOG_LEVEL=warn",
		"ERRAND_DATABASE_URL=")
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s serve: %w", o.errand, err)
	}
	if err := waitReady(ctx, s.url); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// stop ends the server gracefully (SIGTERM, then SIGKILL after 30 s) and removes its
// temporary data directory.
func (s *errandServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	if s.tmp != "" {
		_ = os.RemoveAll(s.tmp)
	}
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("errand serve did not become ready within 60s")
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// applyWorkflow creates the load workflow, or updates the one of that name, and returns its
// id.
func applyWorkflow(ctx context.Context, c *client.Client, targetURL string) (string, error) {
	src := strings.ReplaceAll(workflowYAML, "TARGET", targetURL)
	existing, err := c.WorkflowByName(ctx, "load-webhook")
	if errors.Is(err, client.ErrNotFound) {
		wf, err := c.CreateWorkflow(ctx, src, "")
		if err != nil {
			return "", err
		}
		return wf.ID, nil
	}
	if err != nil {
		return "", err
	}
	if _, err := c.UpdateWorkflow(ctx, existing.ID, client.WorkflowUpdate{YAML: &src}); err != nil {
		return "", err
	}
	return existing.ID, nil
}
