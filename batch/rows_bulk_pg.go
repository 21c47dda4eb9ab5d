package batch

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gormup/gormup/internal/dialect"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// pgxConn is what pgx's database/sql driver (gorm.io/driver/postgres) hands
// to database/sql's Conn.Raw.
type pgxConn interface{ Conn() *pgx.Conn }

// copySession returns a session of db on a connection of its own, taken
// from the primary's pool (dialect.Primary), so that COPY (through Conn.Raw)
// and the transaction run on one connection; release returns the
// connection to its pool. A connection that is not pgx's is an error
// wrapping ErrBulkLoad.
func copySession(ctx context.Context, db *gorm.DB) (_ *gorm.DB, _ *sql.Conn, release func(), _ error) {
	p := dialect.Primary(db.WithContext(ctx))
	release = func() {}
	conn, ok := p.Statement.ConnPool.(*sql.Conn)
	if !ok {
		sqlDB, err := p.DB()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: COPY needs a database/sql pool: %w", ErrBulkLoad, err)
		}
		if conn, err = sqlDB.Conn(ctx); err != nil {
			return nil, nil, nil, err
		}
		release = func() { _ = conn.Close() }
	}
	err := conn.Raw(func(dc any) error {
		if _, ok := dc.(pgxConn); !ok {
			return fmt.Errorf("%w: COPY needs pgx's database/sql driver (gorm.io/driver/postgres), not %T", ErrBulkLoad, dc)
		}
		return nil
	})
	if err != nil {
		release()
		return nil, nil, nil, err
	}
	s := p.Session(&gorm.Session{})
	s.Statement.ConnPool = conn
	return s, conn, release, nil
}

// copyRows fills the load table with one COPY … FROM STDIN (BINARY) on
// l.conn, inside the transaction begun on it. Each value is sent as the
// driver value GORM's own UPDATE would bind, encoded by pgx for the load
// table's column, whose type is the target column's.
func (w *rowWriter) copyRows(ctx context.Context, l bulkLoad, in *input) error {
	src := &copySource{w: w, in: in, names: l.names, vals: make([]any, len(l.names)), ordinal: l.ordinal}
	return l.conn.Raw(func(dc any) error {
		n, err := dc.(pgxConn).Conn().CopyFrom(ctx, pgx.Identifier(l.table), l.names, src)
		if src.err != nil {
			return src.err
		}
		if err == nil && n != int64(in.n) {
			err = fmt.Errorf("batch: COPY loaded %d rows of %d", n, in.n)
		}
		return err
	})
}

// copySource streams the input to CopyFrom, reading w.size rows at a time
// into rowWriter.fill's reused buffer; Values' slice is reused too (pgx
// encodes each row before asking for the next).
type copySource struct {
	w       *rowWriter
	in      *input
	names   []string
	ordinal bool
	next    int     // the input row the next fill starts at
	base    int     // the input row of rows[0]
	rows    [][]any // the current fill
	i       int     // the next row of rows
	vals    []any
	err     error
}

// Next prepares the next row's values.
func (s *copySource) Next() bool {
	if s.i == len(s.rows) {
		if s.next == s.in.n {
			return false
		}
		hi := min(s.next+s.w.size, s.in.n)
		s.rows, s.base, s.i = s.w.fill(s.in, s.next, hi), s.next, 0
		s.next = hi
	}
	row := s.rows[s.i]
	for j, v := range row {
		dv, err := driverValue(v)
		if err != nil {
			s.err = &ColumnError{Column: s.names[j], Model: s.w.s.Name, Err: fmt.Errorf("%w: %w", ErrBadValue, err)}
			return false
		}
		s.vals[j] = dv
	}
	if s.ordinal {
		s.vals[len(row)] = int64(s.base + s.i + 1)
	}
	s.i++
	return true
}

// Values returns the row Next prepared.
func (s *copySource) Values() ([]any, error) { return s.vals, nil }

// Err returns the value error that stopped Next.
func (s *copySource) Err() error { return s.err }
