package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// kind is how an entry point is told which rows to write.
type kind int

const (
	kOne  kind = iota // one row selected by conditions (updater.Update)
	kCond             // every row the conditions select
	kKeys             // primary keys, ANDed with the conditions (UpdateKeys)
	kRows             // rows carrying their keys (UpdateRows)
)

// entry is one write entry point of the matrix.
type entry struct {
	name string
	kind kind
	// generic: called with the type argument T (so a db.Model naming
	// another table is a mismatch).
	generic bool
	// versions: gormup itself writes the rows, so a version field must be
	// incremented; Run and Ranges write through the caller's work.
	versions bool
	// checkVersion: UpdateRows with CheckVersion("Version").
	checkVersion bool
	// deletes: the entry point deletes the rows it selects (soft-deletes
	// them on a model with a soft-delete field, unless Unscoped).
	deletes bool
}

var entries = []entry{
	{name: "Update", kind: kOne, generic: true, versions: true},
	{name: "Transaction", kind: kOne, generic: true, versions: true},
	{name: "UpdateEach", kind: kCond, generic: true, versions: true},
	{name: "batch.Update", kind: kCond, versions: true},
	{name: "Chunked", kind: kCond, versions: true},
	// batch.Update with Size and no CommitEach: key ranges in one transaction.
	{name: "UpdateSized", kind: kCond, versions: true},
	{name: "UpdateKeys", kind: kKeys, versions: true},
	{name: "KeysWorkers", kind: kKeys, versions: true},
	{name: "Rows", kind: kRows, generic: true, versions: true},
	{name: "RowsEach", kind: kRows, generic: true, versions: true},
	{name: "RowsWorkers", kind: kRows, generic: true, versions: true},
	{name: "RowsVersion", kind: kRows, generic: true, versions: true, checkVersion: true},
	{name: "RowsBulk", kind: kRows, generic: true, versions: true},
	{name: "RowsBulkVersion", kind: kRows, generic: true, versions: true, checkVersion: true},
	// BulkLoad loading two rows per INSERT (MySQL) or COPY read (PostgreSQL).
	{name: "RowsBulkSized", kind: kRows, generic: true, versions: true},
	{name: "Run", kind: kCond, generic: true},
	{name: "Ranges", kind: kCond},
	// chunk.Ranges at its default size.
	{name: "RangesDefault", kind: kCond},
	{name: "Workers", kind: kCond, generic: true},
	{name: "Purge", kind: kCond, deletes: true},
}

// chunkCap bounds the chunks (and change calls) of one call: the matrix has
// at most 6 rows in chunks of 2, so a call past the cap loops.
const chunkCap = 20

var errLoop = errors.New("conformance: the call kept going past its chunk cap")

// outcome is what an entry point returned.
type outcome struct {
	err       error
	n         int64 // rows written, matched or processed, as the entry point counts them
	missing   int64
	conflicts int
	// missingKeys are the folded keys UpdateRows listed as missing, sorted.
	missingKeys []string
}

func (o outcome) String() string {
	return fmt.Sprintf("n=%d missing=%d %v conflicts=%d err=%v", o.n, o.missing, o.missingKeys, o.conflicts, o.err)
}

// call runs entry e with q (db with the caller's scope and conditions, or
// a function building it for Transaction) and in's rows and keys.
func call[T any](ctx context.Context, cancel context.CancelFunc, dialect string, e entry, q *gorm.DB, in *input[T], s *schema.Schema, target string, rows []T) outcome {
	change := func(r *T) error { addBalance(r, delta); return nil }
	// The Balance field's column (gormup_n on the alias-collision input).
	balance := s.LookUpField("Balance").DBName
	raise := gorm.Expr(balance+" + ?", delta)
	values := map[string]any{balance: raise}
	// The caller's conditions as gorm.G scopes, passed with each package's
	// Scopes option (the or-gscope input); none for the other inputs.
	var uOpts []updater.UpdateOption
	var bOpts []batch.Option
	var cOpts []chunk.Option
	if in.gscope != nil {
		g := in.gscope
		if e.kind == kOne {
			g = in.gscopeOne
		}
		uOpts = append(uOpts, updater.Scopes(g))
		bOpts = append(bOpts, batch.Scopes(g))
		cOpts = append(cOpts, chunk.Scopes(g))
	}
	var calls atomic.Int64
	capped := func() error {
		if calls.Add(1) > chunkCap {
			return errLoop
		}
		return nil
	}
	work := func(tx *gorm.DB, part []T) error {
		if err := capped(); err != nil {
			return err
		}
		for i := range part {
			err := tx.Session(&gorm.Session{NewDB: true}).Table(target).Where(keyMap(s, &part[i])).
				UpdateColumn(balance, raise).Error
			if err != nil {
				return err
			}
		}
		return nil
	}
	switch e.name {
	case "Update":
		res, err := updater.Update(ctx, q, change, uOpts...)
		return outcome{err: err, n: int64(min(len(res.Changes), 1))}
	case "Transaction":
		var n int64
		err := updater.Transaction(ctx, q.Session(&gorm.Session{NewDB: true}), func(tx *gorm.DB) error {
			res, err := updater.Update(ctx, in.whereOne(in.scope(tx, target)), change, uOpts...)
			n = int64(min(len(res.Changes), 1))
			return err
		})
		return outcome{err: err, n: n}
	case "UpdateEach":
		res, err := updater.UpdateEach(ctx, q, func(r *T) error {
			if err := capped(); err != nil {
				return err
			}
			return change(r)
		}, append(narrow[chunk.RunOption](cOpts), chunk.Size(2))...)
		return outcome{err: err, n: res.Changed}
	case "batch.Update":
		n, err := batch.Update(ctx, q, values, narrow[batch.UpdateOption](bOpts)...)
		return outcome{err: err, n: n}
	case "UpdateSized":
		n, err := batch.Update(ctx, q, values, append(narrow[batch.UpdateOption](bOpts), batch.Size(2))...)
		return outcome{err: err, n: n}
	case "Chunked":
		n, err := batch.Update(ctx, q, values, append(narrow[batch.UpdateOption](bOpts), batch.Size(2), batch.CommitEach(), batch.OnProgress(func(chunk.Progress) {
			if capped() != nil {
				cancel()
			}
		}))...)
		if calls.Load() > chunkCap {
			err = errors.Join(errLoop, err)
		}
		return outcome{err: err, n: n}
	case "UpdateKeys", "KeysWorkers":
		var n int64
		var err error
		kOpts := append(narrow[batch.KeysOption](bOpts), batch.Size(2))
		if e.name == "KeysWorkers" {
			kOpts = append(kOpts, batch.Workers(2))
		}
		switch k := in.keys[0][len(in.keys[0])-1].(type) {
		case int64:
			keys := make([]int64, len(in.keys))
			for i, t := range in.keys {
				keys[i] = t[len(t)-1].(int64)
			}
			n, err = batch.UpdateKeys(ctx, q, keys, values, kOpts...)
		case string:
			keys := make([]string, len(in.keys))
			for i, t := range in.keys {
				keys[i] = t[len(t)-1].(string)
			}
			n, err = batch.UpdateKeys(ctx, q, keys, values, kOpts...)
		default:
			panic(fmt.Sprintf("key type %T", k))
		}
		return outcome{err: err, n: n}
	case "Rows", "RowsEach", "RowsWorkers", "RowsVersion", "RowsBulk", "RowsBulkVersion", "RowsBulkSized":
		opts := append(narrow[batch.RowsOption](bOpts), batch.ListMissing())
		switch e.name {
		case "RowsEach":
			opts = append(opts, batch.CommitEach(), batch.Size(2))
		case "RowsWorkers":
			opts = append(opts, batch.Workers(2), batch.Size(2))
		case "RowsVersion":
			opts = append(opts, batch.CheckVersion("Version"))
		case "RowsBulk":
			opts = append(opts, batch.BulkLoad())
		case "RowsBulkVersion":
			opts = append(opts, batch.BulkLoad(), batch.CheckVersion("Version"))
		case "RowsBulkSized":
			opts = append(opts, batch.BulkLoad(), batch.Size(2))
		}
		res, err := batch.UpdateRows(ctx, q, rows, []string{"Balance"}, opts...)
		o := outcome{err: err, n: res.Matched, missing: res.Missing, conflicts: len(res.Conflicts), missingKeys: []string{}}
		for _, k := range res.MissingKeys {
			o.missingKeys = append(o.missingKeys, foldKey(dialect, k))
		}
		sort.Strings(o.missingKeys)
		return o
	case "Run", "Workers":
		opts := append(narrow[chunk.RunOption](cOpts), chunk.Size(2))
		if e.name == "Workers" {
			opts = append(opts, chunk.Workers(2))
		}
		rep, err := chunk.Run(ctx, q, work, opts...)
		return outcome{err: err, n: rep.Rows}
	case "Purge":
		stop := chunk.Callbacks{Before: func(context.Context, chunk.Info) error { return capped() }}
		rep, err := chunk.Purge(ctx, q, append(narrow[chunk.PurgeOption](cOpts), chunk.Size(2), chunk.Hooks(stop))...)
		return outcome{err: err, n: rep.Rows}
	case "Ranges", "RangesDefault":
		opts := narrow[chunk.RangesOption](cOpts)
		if e.name == "Ranges" {
			opts = append(opts, chunk.Size(2))
		}
		rep, err := chunk.Ranges(ctx, q, func(rows *gorm.DB, _ chunk.Range) error {
			if err := capped(); err != nil {
				return err
			}
			return rows.UpdateColumn(balance, raise).Error
		}, opts...)
		return outcome{err: err, n: rep.Rows}
	}
	panic("unknown entry " + e.name)
}

// narrow hands options valid for every entry point of their package (batch
// or chunk Options) to an entry point whose option type O is narrower.
func narrow[O, I any](opts []I) []O {
	out := make([]O, len(opts))
	for i, o := range opts {
		out[i] = any(o).(O)
	}
	return out
}
