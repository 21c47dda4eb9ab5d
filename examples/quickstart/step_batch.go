package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gormup/gormup/batch"
	"gorm.io/gorm"
)

func stepBatch(ctx context.Context, db *gorm.DB, out io.Writer) error {
	// One conditional UPDATE, refused if its condition bounded nothing.
	n, err := batch.Update(ctx, db.Model(&Account{}).Where("status = ?", "trial"),
		map[string]any{"balance": gorm.Expr("balance + ?", 10)})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   batch.Update:     credited %d trial accounts in one statement\n", n)
	_, err = batch.Update(ctx, db.Model(&Account{}).Where("1 = 1"), map[string]any{"balance": 0})
	if !errors.Is(err, batch.ErrNoCondition) {
		return fmt.Errorf("an unbounded update was not refused: %v", err)
	}
	fmt.Fprintln(out, "   batch.Update:     WHERE 1 = 1 refused with ErrNoCondition, nothing written")

	// Different values per row, matched by primary key, set-based.
	rows := make([]Account, 0, demoRows/2+1)
	for id := int64(1); id <= demoRows/2; id++ {
		rows = append(rows, Account{ID: id, Balance: 1000 + id})
	}
	rows = append(rows, Account{ID: demoRows + 1, Balance: 1}) // not in the table
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"})
	if err != nil {
		return err
	}
	// res.Statements depends on the dialect's parameter limits (one
	// statement on the servers, two on SQLite), so the tour does not show it.
	fmt.Fprintf(out, "   batch.UpdateRows: %d balances written, set-based; %d key missing, not inserted\n",
		res.Matched, res.Missing)
	return nil
}
