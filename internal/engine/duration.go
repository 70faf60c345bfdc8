package engine

import (
	"fmt"
	"time"
)

// formatDuration writes d the way workflows spell it: "2s", "5m", "1h", "1500ms".
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

// formatSize writes a byte size the way max-step-size spells it: "10mb", "512kb", "100b".
func formatSize(n int64) string {
	switch {
	case n > 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%dgb", n>>30)
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dmb", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dkb", n>>10)
	}
	return fmt.Sprintf("%db", n)
}
