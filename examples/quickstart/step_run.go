package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

func stepRun(ctx context.Context, db *gorm.DB, out io.Writer) error {
	const name = "quickstart-interest"
	active := db.Model(&Account{}).Where("status = ?", "active")
	credit := func(tx *gorm.DB, part []Account) error {
		ids := make([]int64, len(part))
		for i, a := range part {
			ids[i] = a.ID
		}
		return tx.Model(&Account{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + 1")).Error
	}
	// A first run that stops after two chunks, as a crash or Ctrl-C would.
	stopAfterTwo := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
		if c.Index == 2 {
			return chunk.ErrStop
		}
		return nil
	}}
	rep, err := chunk.Run(ctx, active, credit, chunk.Size(100), chunk.Checkpoint(name), chunk.Restart(), chunk.Hooks(stopAfterTwo))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   chunk.Run:          stopped after %d chunks, checkpoint at key %v\n", rep.Chunks, rep.LastKey)
	rep, err = chunk.Run(ctx, active, credit, chunk.Size(100), chunk.Checkpoint(name))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   resumed:            %d more rows in %d chunks, %d in all, each credited once\n", rep.Rows, rep.Chunks, rep.RowsDone)
	if err := chunk.DeleteCheckpoint(ctx, db, name); err != nil {
		return err
	}

	// Set-based work per chunk: only the chunk's bounds are read.
	rep, err = chunk.Ranges(ctx, active, func(rows *gorm.DB, r chunk.Range) error {
		return rows.Update("balance", gorm.Expr("balance - 1")).Error
	}, chunk.Size(200))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   chunk.Ranges:    %d rows in %d one-statement chunks\n", rep.Rows, rep.Chunks)

	// Fetch-modify-save over many rows: only changed rows and columns are written.
	res, err := updater.UpdateEach(ctx, db.Where("status = ?", "trial"), func(a *Account) error {
		if a.Balance%2 == 1 {
			a.Balance++
		}
		return nil
	}, chunk.Size(100))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   updater.UpdateEach: %d rows scanned, %d changed, columns %v\n", res.Scanned, res.Changed, res.Columns)
	return nil
}
