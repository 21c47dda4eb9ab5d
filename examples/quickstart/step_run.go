package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

func stepRun(ctx context.Context, db *gorm.DB, out io.Writer) error {
	const name = "quickstart-interest"
	active := db.Model(&Account{}).Where("status = ?", "active")
	credit := func(tx *gorm.DB, chunk []Account) error {
		ids := make([]int64, len(chunk))
		for i, a := range chunk {
			ids[i] = a.ID
		}
		return tx.Model(&Account{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + 1")).Error
	}
	// A first run that stops after two chunks, as a crash or Ctrl-C would.
	stopAfterTwo := hooks.Chunk{Before: func(ctx context.Context, c hooks.ChunkInfo) error {
		if c.Index == 2 {
			return hooks.ErrStop
		}
		return nil
	}}
	rep, err := batch.Run(ctx, active, credit, batch.Size(100), batch.Checkpoint(name), batch.Restart(), batch.Hooks(stopAfterTwo))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   batch.Run:          stopped after %d chunks, checkpoint at key %v\n", rep.Chunks, rep.LastKey)
	rep, err = batch.Run(ctx, active, credit, batch.Size(100), batch.Checkpoint(name))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   resumed:            %d more rows in %d chunks, %d in all, each credited once\n", rep.Rows, rep.Chunks, rep.RowsDone)
	if err := batch.DeleteCheckpoint(ctx, db, name); err != nil {
		return err
	}

	// Set-based work per chunk: only the chunk's bounds are read.
	rep, err = batch.RunRanges(ctx, active, func(rows *gorm.DB, r batch.Range) error {
		return rows.Update("balance", gorm.Expr("balance - 1")).Error
	}, batch.Size(200))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   batch.RunRanges:    %d rows in %d one-statement chunks\n", rep.Rows, rep.Chunks)

	// Fetch-modify-save over many rows: only changed rows and columns are written.
	res, err := updater.UpdateEach(ctx, db.Where("status = ?", "trial"), func(a *Account) error {
		if a.Balance%2 == 1 {
			a.Balance++
		}
		return nil
	}, batch.Size(100))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   updater.UpdateEach: %d rows scanned, %d changed, columns %v\n", res.Scanned, res.Changed, res.Columns)
	return nil
}
