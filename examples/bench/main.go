// Command bench measures gormup against GORM's naive ways and the best
// hand-written SQL, all in one run on one database, and prints one table per
// job. It runs on embedded SQLite by default:
//
//	go run ./examples/bench
//	go run ./examples/bench -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable' -rows 100000
//	go run ./examples/bench -json results.json -svg results.svg
//	go run ./examples/bench -dsn sqlite3:/tmp/bench.db   # SQLite through the cgo driver
//	go run ./examples/bench -docs docs                   # regenerate docs/benchmarks.md and the README summary
//
// Figures are rows per second of wall time, each the median of -runs runs
// (3) with the strategies' order rotated between runs; the naive per-row
// strategies run on a sample of the rows (-sample) because they are one to
// two orders of magnitude slower.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// Strategy kinds: ratios are computed against the naive and hand-written
// strategy of the same job.
const (
	kindNaive  = "naive"
	kindHand   = "hand-written"
	kindGORM   = "gorm"
	kindOther  = "other"
	kindGormup = "gormup"
	// kindLimit is the server-limit proxy: the same rows written from their
	// own columns, nothing shipped.
	kindLimit = "server-limit"
)

type strategy struct {
	name string
	kind string
	rows int // rows the run processes
	// prepare, if set, runs before run, untimed: it puts the table in the
	// same state for every strategy of a job.
	prepare func(ctx context.Context) error
	// input, if set, builds the run's input after prepare, before it is
	// measured, in the strategy's natural form (rows of bind values for SQL,
	// models for gormup): neither its time nor its allocations count.
	input func()
	run   func(ctx context.Context) error
	// check, if set, verifies the work was done and returns a note for the table.
	check func(ctx context.Context) (string, error)
}

type job struct {
	title      string
	strategies []strategy
}

type config struct {
	rows    int
	sample  int
	writers int
	incs    int
	only    string
	runs    int // times each strategy is measured; its median counts (0 means 1)
}

func main() {
	dsn := exampledb.DSNFlag()
	var cfg config
	flag.IntVar(&cfg.rows, "rows", 100000, "rows in the benchmark table")
	flag.IntVar(&cfg.sample, "sample", 1000, "rows the slow per-row strategies (First+Save) process")
	flag.IntVar(&cfg.writers, "writers", 16, "concurrent writers in the lost-update test")
	flag.IntVar(&cfg.incs, "increments", 50, "increments per writer in the lost-update test")
	flag.IntVar(&cfg.runs, "runs", 3, "times each strategy is measured, the order rotated between runs; the median counts")
	flag.StringVar(&cfg.only, "only", "", "run only the jobs whose title contains this text (and skip the lost-update test)")
	jsonPath := flag.String("json", "", "write the results as JSON to this file")
	svgPath := flag.String("svg", "", "write the results as an SVG chart to this file")
	docsDir := flag.String("docs", "", "measure nothing: regenerate DIR/benchmarks.md and the README's summary table from DIR/bench-*.json")
	flag.Parse()
	if *docsDir != "" {
		if err := writeDocs(*docsDir, filepath.Join(*docsDir, "..", "README.md")); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), *dsn, cfg, *jsonPath, *svgPath, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, cfg config, jsonPath, svgPath string, out, progress io.Writer) error {
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.SetMaxOpenConns(max(cfg.writers, 4))
		sqlDB.SetMaxIdleConns(max(cfg.writers, 4))
	}
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	cfg.sample = min(cfg.sample, cfg.rows)
	cfg.runs = max(cfg.runs, 1)
	env := fmt.Sprintf("%s %s via %s, %d rows, median of %d runs, %s, %d CPUs, %s", d.Family(), d.Version(), driverOf(name), cfg.rows, cfg.runs, runtime.Version(), runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(out, "gormup bench: %s\n", env)
	fmt.Fprintf(progress, "seeding %d rows on %s...\n", cfg.rows, name)
	if err := setup(ctx, db, cfg.rows); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	report := Report{Database: string(d.Family()), Driver: driverOf(name), Version: d.Version().String(), Rows: cfg.rows, Env: env}
	for _, j := range jobs(db, cfg) {
		if cfg.only != "" && !strings.Contains(j.title, cfg.only) {
			continue
		}
		results, err := measure(ctx, j, cfg.runs, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", j.title, err)
		}
		report.Jobs = append(report.Jobs, JobResult{Title: j.title, Results: results})
		printJob(out, j.title, results)
	}
	if cfg.only == "" {
		extra, err := lostUpdates(ctx, db, cfg, progress)
		if err != nil {
			return fmt.Errorf("lost updates: %w", err)
		}
		report.LostUpdates = extra
		printLost(out, extra)
	}
	if jsonPath != "" {
		if err := writeJSON(jsonPath, report); err != nil {
			return err
		}
	}
	if svgPath != "" {
		if err := writeSVG(svgPath, report); err != nil {
			return err
		}
	}
	return nil
}

// jobs lists every job for db; each file adds its own.
func jobs(db *gorm.DB, cfg config) []job {
	return []job{
		perRowValuesJob(db, cfg),
		conditionalJob(db, cfg),
		fetchModifySaveJob(db, cfg),
		readingJob(db, cfg),
		chunkedRunJob(db, cfg),
	}
}

func measure(ctx context.Context, j job, runs int, progress io.Writer) ([]Result, error) {
	n := len(j.strategies)
	all := make([][]Result, n)
	for round := range runs {
		// Rotated: no strategy always runs right after the same other one.
		for k := range n {
			i := (k + round) % n
			r, err := measureOne(ctx, j.title, j.strategies[i], progress)
			if err != nil {
				return nil, err
			}
			all[i] = append(all[i], r)
		}
	}
	results := make([]Result, n)
	for i, rs := range all {
		slices.SortFunc(rs, func(a, b Result) int { return cmp.Compare(a.RowsPerSec, b.RowsPerSec) })
		results[i] = rs[len(rs)/2]
	}
	ratios(results)
	return results, nil
}

// measureOne prepares, times and checks one run of s.
func measureOne(ctx context.Context, title string, s strategy, progress io.Writer) (Result, error) {
	fmt.Fprintf(progress, "  %-28s %-34s", title, s.name)
	if s.prepare != nil {
		if err := s.prepare(ctx); err != nil {
			fmt.Fprintln(progress)
			return Result{}, fmt.Errorf("%s: preparing: %w", s.name, err)
		}
	}
	if s.input != nil {
		s.input()
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stopSampling := sampleHeap()
	start := time.Now()
	err := s.run(ctx)
	elapsed := time.Since(start)
	peak := stopSampling()
	if err != nil {
		fmt.Fprintln(progress)
		return Result{}, fmt.Errorf("%s: %w", s.name, err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	r := Result{
		Strategy:   s.name,
		Kind:       s.kind,
		Rows:       s.rows,
		Seconds:    elapsed.Seconds(),
		RowsPerSec: float64(s.rows) / elapsed.Seconds(),
		AllocMB:    float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20),
		PeakHeapMB: float64(peak) / (1 << 20),
	}
	if s.check != nil {
		note, err := s.check(ctx)
		if err != nil {
			fmt.Fprintln(progress)
			return Result{}, fmt.Errorf("%s: wrong result: %w", s.name, err)
		}
		r.Note = note
	}
	fmt.Fprintf(progress, " %10.0f rows/s\n", r.RowsPerSec)
	return r, nil
}

// ratios fills each result's speed relative to the job's naive and best
// hand-written strategies, and notes gormup's speed relative to the server
// limit proxy where the job has one.
func ratios(results []Result) {
	var naive, hand, limit float64
	for _, r := range results {
		switch r.Kind {
		case kindNaive:
			if naive == 0 {
				naive = r.RowsPerSec
			}
		case kindHand:
			hand = max(hand, r.RowsPerSec)
		case kindLimit:
			limit = r.RowsPerSec
		}
	}
	for i, r := range results {
		if r.Kind == kindGormup && limit > 0 {
			note := fmt.Sprintf("%.2fx server limit", r.RowsPerSec/limit)
			if r.Note != "" {
				note = r.Note + "; " + note
			}
			results[i].Note = note
		}
	}
	for i := range results {
		if naive > 0 {
			results[i].VsNaive = results[i].RowsPerSec / naive
		}
		if hand > 0 {
			results[i].VsHand = results[i].RowsPerSec / hand
		}
	}
}

// sampleHeap samples the live heap every 2ms until the returned function is
// called, which reports the peak.
func sampleHeap() func() uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	read := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	read()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		read()
		return peak.Load()
	}
}
