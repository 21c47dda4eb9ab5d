package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gormup/gormup/index"
	"gorm.io/gorm"
)

// stepIndex checks the tag-declared indexes, asks whether a bulk update's
// filter is indexed, and creates the index the advice suggests.
func stepIndex(ctx context.Context, db *gorm.DB, out io.Writer) error {
	report, err := index.Diff(ctx, db, []any{&Account{}})
	if err != nil {
		return err
	}
	for _, ix := range report.Indexes {
		fmt.Fprintf(out, "   tag index %-26s %s\n", ix.Name+":", ix.Status)
	}

	// A nightly job updates inactive accounts by creation date.
	advice, err := index.Advise(ctx, db, &Account{}, "active", "created_at")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   advice: %s\n", advice)
	if advice.Suggestion == nil {
		return nil
	}
	// Account belongs to another team: declare the index in code.
	decl := index.On(&Account{}, *advice.Suggestion)
	for range 2 {
		report, err = index.Ensure(ctx, db, []any{decl})
		if err != nil {
			return err
		}
		ix := report.Indexes[0]
		fmt.Fprintf(out, "   Ensure: %s %s\n", ix.Name, ix.Status)
	}
	covered, err := index.Covers(ctx, db, &Account{}, "active", "created_at")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   covered now: %v\n", covered)
	return nil
}
