package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// stepUpdater changes accounts 1 and 2 with updater.Update: only changed
// columns are written, a no-op writes nothing, and concurrent increments are
// never lost.
func stepUpdater(ctx context.Context, db *gorm.DB, out io.Writer) error {
	res, err := updater.Update(ctx, db.Where("id = ?", 1), func(a *Account) error {
		a.Balance -= 10
		a.Active = false // a zero value: Updates(struct) would skip it, Update writes it
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   account 1:           ")
	for i, c := range res.Changes {
		if i > 0 {
			fmt.Fprint(out, ", ")
		}
		if c.Column == "updated_at" {
			fmt.Fprint(out, "updated_at set")
			continue
		}
		fmt.Fprintf(out, "%s %v -> %v", c.Column, c.Old, c.New)
	}
	fmt.Fprintln(out)

	res, err = updater.Update(ctx, db.Where("id = ?", 1), func(a *Account) error {
		a.Active = false // already false
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   same again:          %d columns changed, no UPDATE issued\n", len(res.Changes))

	// Optimistic: Version is checked and incremented.
	const writers, each = 8, 10
	start, err := updater.Update[Account](ctx, db.Where("id = ?", 2), nil)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := updater.Update(ctx, db.Where("id = ?", 2), func(a *Account) error {
					a.Balance++
					return nil
				}, updater.VersionField("Version"))
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err, failed := <-errs; failed {
		return err
	}
	end, err := updater.Update[Account](ctx, db.Where("id = ?", 2), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   account 2:           %d concurrent increments: balance %d -> %d, version %d -> %d\n",
		writers*each, start.Row.Balance, end.Row.Balance, start.Row.Version, end.Row.Version)
	return nil
}
