package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
)

// Report is everything one run measured; -json writes it.
type Report struct {
	Database string `json:"database"`
	// Driver is the Go driver the run used: pgx, go-sql-driver/mysql,
	// go-mssqldb, glebarez/sqlite (pure Go) or mattn/go-sqlite3 (cgo).
	Driver      string      `json:"driver,omitempty"`
	Version     string      `json:"version"`
	Rows        int         `json:"rows"`
	Env         string      `json:"env"`
	Jobs        []JobResult `json:"jobs"`
	LostUpdates []LostCount `json:"lost_updates"`
}

// JobResult is one job's table.
type JobResult struct {
	Title   string   `json:"title"`
	Results []Result `json:"results"`
}

// Result is one strategy's measurement.
type Result struct {
	Strategy   string  `json:"strategy"`
	Kind       string  `json:"kind"`
	Rows       int     `json:"rows"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rows_per_sec"`
	VsNaive    float64 `json:"vs_naive,omitempty"`
	VsHand     float64 `json:"vs_hand_written,omitempty"`
	AllocMB    float64 `json:"alloc_mb"`
	PeakHeapMB float64 `json:"peak_heap_mb"`
	Note       string  `json:"note,omitempty"`
}

// LostCount is the outcome of the concurrent-writers test for one strategy.
type LostCount struct {
	Strategy string `json:"strategy"`
	Want     int64  `json:"want"`
	Got      int64  `json:"got"`
	Errors   int    `json:"errors"`
	Seconds  float64
}

func ratio(x float64) string {
	if x == 0 {
		return "–"
	}
	if x >= 10 {
		return fmt.Sprintf("%.0fx", x)
	}
	return fmt.Sprintf("%.2fx", x)
}

func printJob(w io.Writer, title string, results []Result) {
	fmt.Fprintf(w, "\n%s\n", title)
	printResults(w, results)
}

// printResults writes one job's table, in Markdown.
func printResults(w io.Writer, results []Result) {
	fmt.Fprintf(w, "| %-36s | %8s | %10s | %8s | %8s | %8s | %9s | %s |\n", "strategy", "rows", "rows/s", "vs naive", "vs hand", "alloc MB", "peak heap", "note")
	fmt.Fprintf(w, "|%s|%s:|%s:|%s:|%s:|%s:|%s:|%s|\n", strings.Repeat("-", 38), strings.Repeat("-", 9), strings.Repeat("-", 11), strings.Repeat("-", 9), strings.Repeat("-", 9), strings.Repeat("-", 9), strings.Repeat("-", 10), "---")
	for _, r := range results {
		fmt.Fprintf(w, "| %-36s | %8d | %10.0f | %8s | %8s | %8.1f | %6.1f MB | %s |\n", r.Strategy, r.Rows, r.RowsPerSec, ratio(r.VsNaive), ratio(r.VsHand), r.AllocMB, r.PeakHeapMB, r.Note)
	}
}

// lostTitle heads the concurrent-writers table.
const lostTitle = "concurrent writers: increments of one counter"

func printLost(w io.Writer, lost []LostCount) {
	if len(lost) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", lostTitle)
	printLostTable(w, lost)
}

func printLostTable(w io.Writer, lost []LostCount) {
	fmt.Fprintf(w, "| %-36s | %8s | %8s | %8s | %8s |\n", "strategy", "expected", "final", "lost", "errors")
	fmt.Fprintf(w, "|%s|%s:|%s:|%s:|%s:|\n", strings.Repeat("-", 38), strings.Repeat("-", 9), strings.Repeat("-", 9), strings.Repeat("-", 9), strings.Repeat("-", 9))
	for _, l := range lost {
		fmt.Fprintf(w, "| %-36s | %8d | %8d | %7.0f%% | %8d |\n", l.Strategy, l.Want, l.Got, lostPct(l), l.Errors)
	}
}

func lostPct(l LostCount) float64 { return 100 * float64(l.Want-l.Got) / float64(l.Want) }

func writeJSON(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeSVG draws one group of horizontal bars per job, each bar the
// strategy's speed relative to the job's first strategy (GORM's naive way, or
// the plain statement) on a log scale from 0.1x to 1000x, then the
// lost-update counts.
func writeSVG(path string, r Report) error {
	const (
		width  = 960
		labelW = 290
		barH   = 18
		gap    = 6
		titleH = 28
	)
	colors := map[string]string{kindNaive: "#c0504d", kindGORM: "#f79646", kindOther: "#f4c542", kindHand: "#808080", kindGormup: "#2e8b57"}
	plotW := float64(width - labelW - 200)
	scale := func(x float64) float64 { return (math.Log10(min(max(x, 0.1), 1000)) + 1) / 4 * plotW }
	height := 90 + 22*len(r.LostUpdates)
	for _, j := range r.Jobs {
		height += titleH + len(j.Results)*(barH+gap)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="22" font-size="15" font-weight="bold">gormup benchmark — speed relative to each job's first strategy (log scale)</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="40" fill="#555">%s</text>`+"\n", html.EscapeString(r.Env))
	one := float64(labelW) + scale(1)
	y := 56
	for _, j := range r.Jobs {
		y += titleH
		fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y-8, html.EscapeString(j.Title))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#bbb" stroke-dasharray="3,3"/>`+"\n", one, y-4, one, y+len(j.Results)*(barH+gap))
		ref := j.Results[0].RowsPerSec
		for _, res := range j.Results {
			x := res.RowsPerSec / ref
			w := max(scale(x), 2)
			fmt.Fprintf(&b, `<text x="10" y="%d">%s</text>`+"\n", y+barH-5, html.EscapeString(res.Strategy))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelW, y, w, barH, colors[res.Kind])
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s · %.0f rows/s</text>`+"\n", float64(labelW)+w+6, y+barH-5, ratio(x), res.RowsPerSec)
			y += barH + gap
		}
	}
	y += 20
	fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">concurrent writers, increments of one counter</text>`+"\n", y)
	for _, l := range r.LostUpdates {
		y += 22
		fill := "#2e8b57"
		if l.Got != l.Want {
			fill = "#c0504d"
		}
		fmt.Fprintf(&b, `<text x="10" y="%d">%s</text><text x="%d" y="%d" fill="%s" font-weight="bold">%d of %d kept</text>`+"\n",
			y, html.EscapeString(l.Strategy), labelW, y, fill, l.Got, l.Want)
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// driverOf names the Go driver behind exampledb's display name.
func driverOf(name string) string {
	return map[string]string{
		"sqlite":    "glebarez/sqlite (pure Go)",
		"sqlite3":   "mattn/go-sqlite3 (cgo)",
		"postgres":  "pgx",
		"mysql":     "go-sql-driver/mysql",
		"sqlserver": "go-mssqldb",
	}[name]
}
