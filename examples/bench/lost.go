package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gormup/gormup/updater"

	"gorm.io/gorm"
)

// lostUpdates runs cfg.writers goroutines each adding 1 to one counter
// cfg.incs times, with each strategy, and reports the final count.
func lostUpdates(ctx context.Context, db *gorm.DB, cfg config, progress io.Writer) ([]LostCount, error) {
	strategies := []struct {
		name string
		inc  func(ctx context.Context) error
	}{
		{"First + Save", func(ctx context.Context) error {
			var c Counter
			if err := db.WithContext(ctx).First(&c, 1).Error; err != nil {
				return err
			}
			c.Value++
			return db.WithContext(ctx).Save(&c).Error
		}},
		{"updater.Update", func(ctx context.Context) error {
			_, err := updater.Update(ctx, db.Where("id = ?", 1), func(c *Counter) error {
				c.Value++
				return nil
			})
			return err
		}},
	}
	var out []LostCount
	for _, s := range strategies {
		fmt.Fprintf(progress, "  %-28s %-34s", "concurrent writers", s.name)
		if err := db.WithContext(ctx).Model(&Counter{}).Where("id = ?", 1).Update("value", 0).Error; err != nil {
			return nil, err
		}
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			errors int
		)
		start := time.Now()
		for range cfg.writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range cfg.incs {
					if err := s.inc(ctx); err != nil {
						mu.Lock()
						errors++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		var c Counter
		if err := db.WithContext(ctx).First(&c, 1).Error; err != nil {
			return nil, err
		}
		l := LostCount{Strategy: s.name, Want: int64(cfg.writers * cfg.incs), Got: c.Value, Errors: errors, Seconds: time.Since(start).Seconds()}
		fmt.Fprintf(progress, " %d of %d\n", l.Got, l.Want)
		out = append(out, l)
	}
	return out, nil
}
