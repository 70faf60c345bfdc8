package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// progress prints an execution's steps as they run: a spinner line on a terminal, plain
// lines otherwise. It is the engine Observer of `errand run`.
type progress struct {
	w       io.Writer
	tty     bool
	quiet   bool
	mu      sync.Mutex
	execID  string
	running map[string]string // step path -> name
	frame   int
	lastSt  string
	done    chan struct{}
	quit    chan struct{}
	once    sync.Once
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet, running: map[string]string{},
		done: make(chan struct{}, 1), quit: make(chan struct{})}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	if p.tty && !quiet {
		go p.spin()
	}
	return p
}

func (p *progress) follow(id string) {
	p.mu.Lock()
	p.execID = id
	p.mu.Unlock()
}

// OnEvent implements engine.Observer.
func (p *progress) OnEvent(ev engine.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.ExecutionID != p.execID {
		return
	}
	switch ev.Kind {
	case "step_started":
		p.running[ev.StepPath] = ev.StepName
	case "step_finished":
		delete(p.running, ev.StepPath)
		p.printStep(ev)
	case engine.EventLog:
		p.printLog(ev)
	case "execution_status":
		if store.IsTerminal(ev.Status) {
			select {
			case p.done <- struct{}{}:
			default:
			}
		}
	}
}

func (p *progress) printStep(ev engine.Event) {
	if p.quiet {
		return
	}
	mark := map[string]string{"completed": "✓", "failed": "✗", "skipped": "-", "timed_out": "✗", "cancelled": "✗"}[ev.Status]
	if mark == "" {
		mark = "•"
	}
	clear := ""
	if p.tty {
		clear = "\r\033[K"
	}
	line := fmt.Sprintf("%s%s %-32s %-10s %s", clear, mark, displayPath(ev.StepPath), ev.Status, fmtElapsed(ev.Duration))
	if ev.Error != nil && ev.Status != "completed" {
		line += "  " + ev.Error.Message
	}
	fmt.Fprintln(p.w, line)
}

// printLog shows what console steps print.
func (p *progress) printLog(ev engine.Event) {
	rest, ok := strings.CutPrefix(ev.Message, "Log from step ")
	if p.quiet || !ok {
		return
	}
	msg := rest
	if _, m, found := strings.Cut(rest, ": "); found {
		msg = m
	}
	clear := ""
	if p.tty {
		clear = "\r\033[K"
	}
	fmt.Fprintf(p.w, "%s  │ %s\n", clear, msg)
}

// displayPath drops the "#1" of first attempts: "loop[0]/fetch#1" → "loop[0]/fetch".
func displayPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = strings.TrimSuffix(p, "#1")
	}
	return strings.Join(parts, "/")
}

// fmtElapsed prints a duration with a precision that suits it.
func fmtElapsed(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(10 * time.Millisecond).String()
	}
}

// status prints a change of the execution's status (waiting, queued ...) once.
func (p *progress) status(ex *store.Execution) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet || ex.Status == p.lastSt {
		return
	}
	p.lastSt = ex.Status
	if ex.Status == store.StatusWaiting && ex.ResumeAt != nil {
		fmt.Fprintf(p.w, "… waiting until %s\n", ex.ResumeAt.Local().Format(time.RFC3339))
	}
}

func (p *progress) spin() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
			p.mu.Lock()
			for _, name := range p.running {
				fmt.Fprintf(p.w, "\r\033[K%s %s", spinnerFrames[p.frame%len(spinnerFrames)], name)
				break
			}
			p.frame++
			p.mu.Unlock()
		}
	}
}

func (p *progress) stop() {
	p.once.Do(func() {
		close(p.quit)
		if p.tty && !p.quiet {
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\033[K")
			p.mu.Unlock()
		}
	})
}
