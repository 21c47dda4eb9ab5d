// Command projection loads a wide table three ways — GORM's full rows, and
// projection's Find and Each into a three-field DTO — and shows joins,
// computed fields, Pluck and validation.
//
//	go run ./examples/projection
//	go run ./examples/projection -rows 200000 -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
)

// ProjectionDemoRegion is the table customers belong to.
type ProjectionDemoRegion struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
}

// ProjectionDemoCustomer is a wide table: twelve columns, long text.
type ProjectionDemoCustomer struct {
	ID       int64 `gorm:"primaryKey"`
	Email    string
	Name     string
	Status   string `gorm:"size:16"`
	Street   string
	City     string
	Phone    string
	Company  string
	Notes    string
	Balance  int64
	RegionID int64
	Region   ProjectionDemoRegion
}

// CustomerBrief is what a mailing job needs: three columns.
type CustomerBrief struct {
	ID     int64
	Email  string
	Status string
}

// CustomerRegion reads two columns called name, from two tables.
type CustomerRegion struct {
	Name   string
	Region string `projection:"table:Region" gorm:"column:name"`
}

// StatusTotal is computed by the database.
type StatusTotal struct {
	Status    string
	Customers int64 `projection:"expr:COUNT(*)"`
	Balance   int64 `projection:"expr:COALESCE(SUM(balance), 0)"`
}

func main() {
	dsn := exampledb.DSNFlag()
	rows := flag.Int("rows", 50_000, "customers to seed")
	flag.Parse()
	if err := run(context.Background(), *dsn, *rows, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "projection example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, n int, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	db = db.WithContext(ctx)
	if err := seed(db, n); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	defer db.Migrator().DropTable(&ProjectionDemoCustomer{}, &ProjectionDemoRegion{})
	// Session makes the base query reusable: each use below starts from it.
	customers := db.Model(&ProjectionDemoCustomer{}).Session(&gorm.Session{})
	fmt.Fprintf(out, "%d customers of 12 columns on %s\n\n", n, name)

	cols, err := projection.Columns[CustomerBrief](customers)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "SELECT list of CustomerBrief: %s\n\n", strings.Join(cols, ", "))

	var full []ProjectionDemoCustomer
	fullTime, fullBytes, err := measure(func() error { return db.Find(&full).Error })
	if err != nil {
		return err
	}
	var briefs []CustomerBrief
	findTime, findBytes, err := measure(func() (err error) {
		briefs, err = projection.Find[CustomerBrief](ctx, customers)
		return err
	})
	if err != nil {
		return err
	}
	streamed := 0
	eachTime, eachBytes, err := measure(func() error {
		for _, err := range projection.Each[CustomerBrief](ctx, customers) {
			if err != nil {
				return err
			}
			streamed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-32s %8s %12s\n", "load", "rows", "allocated")
	fmt.Fprintf(out, "%-32s %8d %9.1f MB  %v\n", "GORM Find(&[]Customer)", len(full), mb(fullBytes), fullTime.Round(time.Millisecond))
	fmt.Fprintf(out, "%-32s %8d %9.1f MB  %v\n", "projection.Find[CustomerBrief]", len(briefs), mb(findBytes), findTime.Round(time.Millisecond))
	fmt.Fprintf(out, "%-32s %8d %9.1f MB  %v (one row held at a time)\n", "projection.Each[CustomerBrief]", streamed, mb(eachBytes), eachTime.Round(time.Millisecond))
	full = nil

	joined, err := projection.Find[CustomerRegion](ctx, customers.Joins("Region").Order("projection_demo_customers.id").Limit(3))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nJoins(\"Region\"), two columns named name: %+v\n", joined)

	totals, err := projection.Find[StatusTotal](ctx, customers.Group("status").Order("status"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "computed per status: %+v\n", totals)

	emails, err := projection.Pluck[string](ctx, customers.Where("status = ?", "vip").Order("id").Limit(3), "email")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Pluck[string] of vip emails: %v\n", emails)

	type Typo struct {
		ID    int64
		Emial string
	}
	_, err = projection.Find[Typo](ctx, customers)
	if !errors.Is(err, projection.ErrUnknownField) {
		return fmt.Errorf("a misspelt field was not refused: %v", err)
	}
	fmt.Fprintf(out, "a misspelt DTO field, refused before any SQL:\n  %v\n", err)
	return nil
}

// measure runs fn and returns its duration and the bytes it allocated.
func measure(fn func() error) (time.Duration, uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	err := fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return elapsed, after.TotalAlloc - before.TotalAlloc, err
}

func mb(b uint64) float64 { return float64(b) / 1e6 }

func seed(db *gorm.DB, n int) error {
	if err := db.Migrator().DropTable(&ProjectionDemoCustomer{}, &ProjectionDemoRegion{}); err != nil {
		return err
	}
	if err := db.AutoMigrate(&ProjectionDemoRegion{}, &ProjectionDemoCustomer{}); err != nil {
		return err
	}
	regions := []ProjectionDemoRegion{{ID: 1, Name: "North"}, {ID: 2, Name: "South"}, {ID: 3, Name: "West"}}
	if err := db.Create(&regions).Error; err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		batch := make([]ProjectionDemoCustomer, 0, 100)
		for i := 1; i <= n; i++ {
			batch = append(batch, ProjectionDemoCustomer{
				ID:       int64(i),
				Email:    fmt.Sprintf("customer%d@example.com", i),
				Name:     fmt.Sprintf("Customer %d", i),
				Status:   []string{"active", "active", "vip", "closed"}[i%4],
				Street:   fmt.Sprintf("%d Long Street Name Avenue", i),
				City:     "Springfield",
				Phone:    fmt.Sprintf("+1-555-%07d", i),
				Company:  "Example Widgets and Sprockets Incorporated",
				Notes:    fmt.Sprintf("Customer %d asked about invoices, renewals and the colour of the widgets.", i),
				Balance:  int64(i % 1000),
				RegionID: int64(i%3 + 1),
			})
			if len(batch) == cap(batch) || i == n {
				if err := tx.Omit("Region").Create(&batch).Error; err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return nil
	})
}
