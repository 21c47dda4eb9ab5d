// Command updater shows the lost-update problem and its fix side by side:
// concurrent writers increment one counter, first with GORM's First+Save,
// then with updater.Update.
//
//	go run ./examples/updater
//	go run ./examples/updater -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// UpdaterDemoCounter is the one-row table the writers fight over.
type UpdaterDemoCounter struct {
	ID    int64 `gorm:"primaryKey"`
	Value int64
}

func main() {
	dsn := exampledb.DSNFlag()
	writers := flag.Int("writers", 16, "concurrent writers")
	increments := flag.Int("increments", 50, "increments per writer")
	flag.Parse()
	if err := run(context.Background(), *dsn, *writers, *increments, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "updater example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, writers, increments int, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.SetMaxOpenConns(writers)
	}
	db = db.WithContext(ctx)
	defer db.Migrator().DropTable(&UpdaterDemoCounter{})
	want := int64(writers * increments)
	fmt.Fprintf(out, "%d writers x %d increments of one counter on %s (want %d)\n\n", writers, increments, name, want)

	naive := func(db *gorm.DB) (int, error) {
		var c UpdaterDemoCounter
		if err := db.First(&c, 1).Error; err != nil {
			return 1, err
		}
		c.Value++
		return 1, db.Save(&c).Error
	}
	fixed := func(db *gorm.DB) (int, error) {
		res, err := updater.Update(ctx, db.Where("id = ?", 1), func(c *UpdaterDemoCounter) error {
			c.Value++
			return nil
		})
		return res.Attempts, err
	}
	for _, s := range []struct {
		label string
		inc   func(*gorm.DB) (int, error)
	}{{"First + Save", naive}, {"updater.Update", fixed}} {
		got, failed, attempts, err := race(db, writers, increments, s.inc)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-15s counter = %4d of %d: %4d increments lost, %3d errors returned, %4d attempts\n",
			s.label, got, want, want-got-int64(failed), failed, attempts)
		if s.label == "updater.Update" && (got != want || failed != 0) {
			return errors.New("updater.Update lost increments")
		}
	}
	return nil
}

// race resets the counter and has writers goroutines each call inc
// increments times; it returns the final value, the calls that returned an
// error and the attempts made.
func race(db *gorm.DB, writers, increments int, inc func(*gorm.DB) (int, error)) (int64, int, int64, error) {
	if err := db.Migrator().DropTable(&UpdaterDemoCounter{}); err != nil {
		return 0, 0, 0, err
	}
	if err := db.AutoMigrate(&UpdaterDemoCounter{}); err != nil {
		return 0, 0, 0, err
	}
	if err := db.Create(&UpdaterDemoCounter{ID: 1}).Error; err != nil {
		return 0, 0, 0, err
	}
	var (
		wg       sync.WaitGroup
		failed   atomic.Int64
		attempts atomic.Int64
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range increments {
				n, err := inc(db)
				attempts.Add(int64(n))
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	var c UpdaterDemoCounter
	if err := db.First(&c, 1).Error; err != nil {
		return 0, 0, 0, err
	}
	return c.Value, int(failed.Load()), attempts.Load(), nil
}
