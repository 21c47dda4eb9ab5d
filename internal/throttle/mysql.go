package throttle

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dialect"
)

// MySQLReplicaLag holds a run while the MySQL or MariaDB replica DB is too far
// behind its source. It reads SHOW REPLICA STATUS (SHOW SLAVE STATUS on
// servers before MariaDB 10.5 and MySQL 8.0.22) on the replica: the run is
// held while Seconds_Behind_Master (Seconds_Behind_Source) exceeds MaxLag,
// and while it is NULL — a stopped or broken replication thread, whose lag
// is unknown and growing. A server with no replication configured fails with
// ErrNotReplica. On MariaDB multi-source replication it reads the default
// connection only. Reading it needs the REPLICATION CLIENT (MariaDB: SLAVE
// MONITOR) privilege. MySQLReplicaLag is safe for concurrent use.
type MySQLReplicaLag struct {
	// DB reaches the replica alone.
	DB *gorm.DB
	// MaxLag is the largest Seconds_Behind_Master allowed; the server
	// reports whole seconds. Zero means DefaultMaxLag; negative is refused.
	MaxLag time.Duration
}

func (c *MySQLReplicaLag) String() string { return "MySQLReplicaLag" }

// Check runs SHOW REPLICA STATUS on the replica.
func (c *MySQLReplicaLag) Check(ctx context.Context) (Hold, error) {
	_, maxLag, err := lagLimits("MySQLReplicaLag", 0, c.MaxLag)
	if err != nil {
		return Hold{}, err
	}
	db, err := session(ctx, c.DB, false, "MySQLReplicaLag", dialect.MySQL, dialect.MariaDB)
	if err != nil {
		return Hold{}, err
	}
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return Hold{}, err
	}
	rows, err := statusRows(db, d.ReplicaStatusQuery())
	if err != nil {
		return Hold{}, fmt.Errorf("throttle: reading replica status: %w", err)
	}
	return replicaStatusHold(rows, maxLag)
}

// statusRows reads every row of a SHOW statement as column -> value.
func statusRows(db *gorm.DB, query string) ([]map[string]sql.NullString, error) {
	rows, err := db.Raw(query).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]sql.NullString
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]sql.NullString, len(cols))
		for i, c := range cols {
			m[c] = vals[i]
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// field returns the first of names present in row (the column names differ
// between SHOW SLAVE STATUS and SHOW REPLICA STATUS on MySQL).
func field(row map[string]sql.NullString, names ...string) (sql.NullString, bool) {
	for _, n := range names {
		if v, ok := row[n]; ok {
			return v, true
		}
	}
	return sql.NullString{}, false
}

func replicaStatusHold(rows []map[string]sql.NullString, maxLag time.Duration) (Hold, error) {
	if len(rows) == 0 {
		return Hold{}, fmt.Errorf("%w: SHOW REPLICA STATUS returned no row; point MySQLReplicaLag at the replica, or drop it", ErrNotReplica)
	}
	var why, ok []string
	for _, row := range rows {
		name := "replica"
		if n, _ := field(row, "Connection_name", "Channel_Name", "Channel_name"); n.String != "" {
			name = "replica connection " + n.String
		}
		io, _ := field(row, "Replica_IO_Running", "Slave_IO_Running")
		sqlRun, _ := field(row, "Replica_SQL_Running", "Slave_SQL_Running")
		behind, found := field(row, "Seconds_Behind_Master", "Seconds_Behind_Source")
		if !found {
			return Hold{}, fmt.Errorf("throttle: replica status has no Seconds_Behind_Master or Seconds_Behind_Source column")
		}
		if !behind.Valid {
			why = append(why, fmt.Sprintf("%s lag is unknown (Seconds_Behind_Master is NULL; IO thread %s, SQL thread %s): replication is stopped or broken",
				name, orUnknown(io), orUnknown(sqlRun)))
			continue
		}
		secs, err := strconv.ParseInt(behind.String, 10, 64)
		if err != nil {
			return Hold{}, fmt.Errorf("throttle: replica status: Seconds_Behind_Master %q: %w", behind.String, err)
		}
		lag := time.Duration(secs) * time.Second
		if lag > maxLag {
			why = append(why, fmt.Sprintf("%s is %s behind (limit %s)", name, lag, maxLag))
			continue
		}
		ok = append(ok, fmt.Sprintf("%s is %s behind", name, lag))
	}
	if len(why) > 0 {
		return Hold{Held: true, Reason: strings.Join(why, "; ")}, nil
	}
	return Hold{Reason: strings.Join(ok, "; ")}, nil
}

func orUnknown(v sql.NullString) string {
	if !v.Valid || v.String == "" {
		return "unknown"
	}
	return v.String
}
