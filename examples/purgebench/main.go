// Command purgebench measures gormup's chunked purge and chunked UPDATE side
// by side with Percona's pt-archiver on the same rows, at the same chunk size,
// each run from a fresh copy of the same seeded table:
//
//	bash scripts/percona.sh        # installs Debian's percona-toolkit when missing
//	go run ./examples/purgebench -dsn 'root@tcp(127.0.0.1:3306)/test' -rows 1000000 -sizes 1000,5000
//
// Per chunk size it runs
//
//   - pt-archiver --purge --bulk-delete --commit-each --limit N --primary-key-only
//     (a subprocess; MySQL/MariaDB only, when pt-archiver is on PATH),
//   - chunk.Purge(ctx, db.Model(&Event{}).Where("status = ?", "expired"), chunk.Size(N)),
//   - chunk.Ranges doing UPDATE … SET counter = counter + 1 on the same rows,
//
// and once, as the server's limit, one plain UPDATE of all those rows. Half the
// table (every even id) has status 'expired', an indexed column. Every run is
// checked afterwards: exactly the selected rows were deleted (or incremented
// exactly once) and no other row changed.
//
// It prints a markdown table: rows, total time, rows/s, the longest chunk
// (gormup: from Callbacks.Before to AfterCommit; pt-archiver: the largest gap
// between its --progress lines, one per chunk), the statements gormup sent per
// chunk (counted by a GORM logger) and the load average after the run. With
// -sql it also prints the statements of gormup's first chunk.
//
// On a server the program works in a database (schema) of its own, created for
// the run and dropped after it; without -dsn it runs on embedded SQLite, where
// pt-archiver cannot run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gormup/gormup/examples/internal/exampledb"
	"gorm.io/gorm"
)

// Event is the purged and updated table; Status is indexed.
type Event struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16;not null;index"`
	Payload string `gorm:"size:64;not null"`
	Counter int64  `gorm:"not null"`
}

// seedTable holds the seeded rows every run copies from.
const seedTable = "events_seed"

// config is the command line.
type config struct {
	dsn   string
	rows  int
	sizes []int
	// pt is "auto" (run pt-archiver on MySQL/MariaDB when it is on PATH),
	// "on" (fail when it cannot run) or "off".
	pt      string
	showSQL bool
}

func main() {
	var c config
	dsn := exampledb.DSNFlag()
	flag.IntVar(&c.rows, "rows", 1_000_000, "rows to seed; half of them (even ids) are purged or updated")
	sizes := flag.String("sizes", "1000,5000", "comma-separated chunk sizes, one run of each tool per size")
	flag.StringVar(&c.pt, "pt", "auto", "pt-archiver runs: auto (MySQL/MariaDB with pt-archiver on PATH), on, off")
	flag.BoolVar(&c.showSQL, "sql", false, "print the statements of gormup's first chunk")
	flag.Parse()
	c.dsn = *dsn
	var err error
	if c.sizes, err = parseSizes(*sizes); err == nil {
		err = run(context.Background(), c, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "purgebench:", err)
		os.Exit(1)
	}
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive chunk size", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// result is one row of the table.
type result struct {
	tool    string
	size    int // 0: not chunked
	rows    int64
	total   time.Duration
	longest time.Duration
	chunks  int64
	stmts   string // statements per chunk, gormup only
	load    string
	// paused is how long Galera flow control paused the node during the
	// run; "" off Galera.
	paused string
}

func run(ctx context.Context, c config, out io.Writer) error {
	if c.rows < 2 {
		return errors.New("-rows must be at least 2")
	}
	if len(c.sizes) == 0 {
		c.sizes = []int{1000}
	}
	db, dialect, cleanup, err := exampledb.Open(c.dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	pt, err := ptTarget(c, db, dialect)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "purgebench on %s: %d rows, %d selected (status = 'expired'), chunk sizes %v\n",
		dialect, c.rows, selected(c.rows), c.sizes)
	if pt == nil {
		fmt.Fprintln(out, "pt-archiver: not run (needs MySQL/MariaDB and pt-archiver on PATH: bash scripts/percona.sh)")
	}
	if err := seed(ctx, db, c.rows); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	var results []result
	galera := flowControlPaused(ctx, db) >= 0
	add := func(measure func() (result, error)) error {
		before := flowControlPaused(ctx, db)
		r, err := measure()
		if err != nil {
			return fmt.Errorf("%s (chunk %d): %w", r.tool, r.size, err)
		}
		if galera {
			r.paused = (flowControlPaused(ctx, db) - before).Round(time.Millisecond).String()
		}
		r.load = loadAvg()
		results = append(results, r)
		return nil
	}
	for _, size := range c.sizes {
		if pt != nil {
			if err := add(func() (result, error) { return pt.purge(ctx, db, c.rows, size) }); err != nil {
				return err
			}
		}
		if err := add(func() (result, error) { return gormupPurge(ctx, db, c, size, out) }); err != nil {
			return err
		}
		if err := add(func() (result, error) { return gormupUpdate(ctx, db, c, size, out) }); err != nil {
			return err
		}
	}
	if err := add(func() (result, error) { return plainUpdate(ctx, db, c.rows) }); err != nil {
		return err
	}
	printTable(out, results, galera)
	return nil
}

// selected is the number of rows the runs delete or update: the even ids.
func selected(rows int) int64 { return int64(rows / 2) }

func printTable(out io.Writer, rs []result, galera bool) {
	head, rule := "| run | chunk | rows | total | rows/s | longest chunk | chunks | statements per chunk | load avg after |", "|---|---:|---:|---:|---:|---:|---:|---|---|"
	if galera {
		head, rule = head+" Galera flow control paused |", rule+"---:|"
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, head)
	fmt.Fprintln(out, rule)
	for _, r := range rs {
		size, longest, chunks := "–", "–", "–"
		if r.size > 0 {
			size = strconv.Itoa(r.size)
			longest = r.longest.Round(100 * time.Microsecond).String()
			chunks = strconv.FormatInt(r.chunks, 10)
		}
		stmts := r.stmts
		if stmts == "" {
			stmts = "–"
		}
		rate := float64(r.rows) / r.total.Seconds()
		fmt.Fprintf(out, "| %s | %s | %d | %s | %.0f | %s | %s | %s | %s |",
			r.tool, size, r.rows, r.total.Round(time.Millisecond), rate, longest, chunks, stmts, r.load)
		if galera {
			fmt.Fprintf(out, " %s |", r.paused)
		}
		fmt.Fprintln(out)
	}
}

// flowControlPaused is how long Galera flow control has paused this node
// since it started (wsrep_flow_control_paused_ns), or -1 when the server is
// no Galera node.
func flowControlPaused(ctx context.Context, db *gorm.DB) time.Duration {
	var name string
	var ns int64
	err := db.WithContext(ctx).Raw("SHOW GLOBAL STATUS LIKE 'wsrep_flow_control_paused_ns'").Row().Scan(&name, &ns)
	if err != nil {
		return -1
	}
	return time.Duration(ns)
}

// loadAvg is the 1-minute load average, or "n/a" off Linux.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// seed creates seedTable with rows rows: even ids 'expired', odd ids
// 'active', every counter 0.
func seed(ctx context.Context, db *gorm.DB, rows int) error {
	db = db.WithContext(ctx)
	if err := db.Migrator().DropTable(&Event{}, seedTable); err != nil {
		return err
	}
	if err := db.AutoMigrate(&Event{}); err != nil {
		return err
	}
	const batch = 2000
	part := make([]Event, 0, batch)
	for id := int64(1); id <= int64(rows); id++ {
		status := "active"
		if id%2 == 0 {
			status = "expired"
		}
		part = append(part, Event{ID: id, Status: status, Payload: fmt.Sprintf("payload-%012d", id)})
		if len(part) == batch || id == int64(rows) {
			if err := db.Create(&part).Error; err != nil {
				return err
			}
			part = part[:0]
		}
	}
	return db.Exec("CREATE TABLE " + seedTable + " AS SELECT id, status, payload, counter FROM events").Error
}

// reset recreates the events table, with its index, from seedTable.
func reset(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	if err := db.Migrator().DropTable(&Event{}); err != nil {
		return err
	}
	if err := db.AutoMigrate(&Event{}); err != nil {
		return err
	}
	return db.Exec("INSERT INTO events (id, status, payload, counter) SELECT id, status, payload, counter FROM " + seedTable).Error
}

// verifyPurged checks, by reading the table back, that exactly the selected
// rows are gone and every other row is unchanged.
func verifyPurged(ctx context.Context, db *gorm.DB, rows int) error {
	var left, expired, changed int64
	err := db.WithContext(ctx).Raw(`SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN counter <> 0 OR id % 2 = 0 THEN 1 ELSE 0 END), 0) FROM events`).
		Row().Scan(&left, &expired, &changed)
	if err != nil {
		return err
	}
	if want := int64(rows) - selected(rows); left != want || expired != 0 || changed != 0 {
		return fmt.Errorf("after the purge: %d rows left (want %d), %d expired (want 0), %d other rows changed (want 0)",
			left, want, expired, changed)
	}
	return nil
}

// verifyUpdated checks that every selected row's counter is 1 and every
// other row's is still 0.
func verifyUpdated(ctx context.Context, db *gorm.DB, rows int) error {
	var total, once, wrong int64
	err := db.WithContext(ctx).Raw(`SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'expired' AND counter = 1 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'active' AND counter <> 0 THEN 1 ELSE 0 END), 0) FROM events`).
		Row().Scan(&total, &once, &wrong)
	if err != nil {
		return err
	}
	if total != int64(rows) || once != selected(rows) || wrong != 0 {
		return fmt.Errorf("after the update: %d rows (want %d), %d expired rows at counter 1 (want %d), %d active rows changed (want 0)",
			total, rows, once, selected(rows), wrong)
	}
	return nil
}
