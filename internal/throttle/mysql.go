package throttle

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
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

// Defaults of GaleraFlowControl's zero fields.
const (
	// DefaultMaxFlowPaused is the fraction of time since the previous check
	// a Galera node may have spent paused by flow control.
	DefaultMaxFlowPaused = 0.1
	// DefaultMaxRecvQueue is the longest receive queue allowed, Galera's
	// default gcs.fc_limit.
	DefaultMaxRecvQueue = 16
)

// GaleraFlowControl holds a run while the MariaDB Galera node DB, or the
// cluster through it, is under flow control or cannot keep up. It reads the
// node's wsrep status and holds while the node is not ready or not Synced
// (a donor or desynced node), while flow control is active
// (wsrep_flow_control_active), while the node spent more than MaxPaused of the
// time since the previous Check paused by flow control (from
// wsrep_flow_control_paused_ns; wsrep_flow_control_paused itself averages
// since the last FLUSH STATUS), and while its receive queue
// (wsrep_local_recv_queue) is longer than MaxRecvQueue. A server without
// wsrep fails with ErrWrongDialect.
//
// It remembers the previous reading, so use a pointer; it is safe for
// concurrent use.
type GaleraFlowControl struct {
	// DB reaches one node of the cluster.
	DB *gorm.DB
	// MaxPaused is the fraction, in [0, 1], of the time between two checks
	// the node may have been paused. Zero means DefaultMaxFlowPaused.
	MaxPaused float64
	// MaxRecvQueue is the longest receive queue allowed. Zero means
	// DefaultMaxRecvQueue; negative is refused.
	MaxRecvQueue int64

	mu       sync.Mutex
	pausedNs int64
	at       time.Time
}

func (c *GaleraFlowControl) String() string { return "GaleraFlowControl" }

const galeraStatusQuery = "SHOW GLOBAL STATUS WHERE Variable_name IN " +
	"('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_flow_control_active', 'wsrep_flow_control_paused_ns', 'wsrep_local_recv_queue')"

// galeraStatus is one reading of a node's wsrep status.
type galeraStatus struct {
	ready, state, active string
	pausedNs, recvQueue  int64
	// pausedFraction is the share of the time since the previous reading
	// the node spent paused; negative when there is no previous reading.
	pausedFraction float64
}

// Check reads the node's wsrep status.
func (c *GaleraFlowControl) Check(ctx context.Context) (Hold, error) {
	maxPaused, maxQueue := c.MaxPaused, c.MaxRecvQueue
	switch {
	case maxPaused < 0 || maxPaused > 1 || maxPaused != maxPaused:
		return Hold{}, invalid("GaleraFlowControl.MaxPaused", "is %v; zero means %v, it must be in [0, 1]", maxPaused, DefaultMaxFlowPaused)
	case maxQueue < 0:
		return Hold{}, invalid("GaleraFlowControl.MaxRecvQueue", "is %d; zero means %d, negative is not allowed", maxQueue, DefaultMaxRecvQueue)
	}
	if maxPaused == 0 {
		maxPaused = DefaultMaxFlowPaused
	}
	if maxQueue == 0 {
		maxQueue = DefaultMaxRecvQueue
	}
	db, err := session(ctx, c.DB, false, "GaleraFlowControl", dialect.MariaDB, dialect.MySQL)
	if err != nil {
		return Hold{}, err
	}
	rows, err := statusRows(db, galeraStatusQuery)
	if err != nil {
		return Hold{}, fmt.Errorf("throttle: reading wsrep status: %w", err)
	}
	vars := map[string]string{}
	for _, r := range rows {
		vars[r["Variable_name"].String] = r["Value"].String
	}
	st := galeraStatus{ready: vars["wsrep_ready"], state: vars["wsrep_local_state_comment"], active: vars["wsrep_flow_control_active"], pausedFraction: -1}
	if _, ok := vars["wsrep_local_state_comment"]; !ok {
		return Hold{}, fmt.Errorf("%w: GaleraFlowControl reads a server without wsrep (wsrep_ready %q): not a Galera node", ErrWrongDialect, st.ready)
	}
	if st.recvQueue, err = strconv.ParseInt(vars["wsrep_local_recv_queue"], 10, 64); err != nil {
		return Hold{}, fmt.Errorf("throttle: wsrep_local_recv_queue %q: %w", vars["wsrep_local_recv_queue"], err)
	}
	if v, ok := vars["wsrep_flow_control_paused_ns"]; ok {
		if st.pausedNs, err = strconv.ParseInt(v, 10, 64); err != nil {
			return Hold{}, fmt.Errorf("throttle: wsrep_flow_control_paused_ns %q: %w", v, err)
		}
		now := time.Now()
		c.mu.Lock()
		if !c.at.IsZero() && now.After(c.at) && st.pausedNs >= c.pausedNs {
			st.pausedFraction = float64(st.pausedNs-c.pausedNs) / float64(now.Sub(c.at).Nanoseconds())
		}
		c.pausedNs, c.at = st.pausedNs, now
		c.mu.Unlock()
	}
	return galeraHold(st, maxPaused, maxQueue), nil
}

func galeraHold(st galeraStatus, maxPaused float64, maxQueue int64) Hold {
	var why []string
	if st.ready != "ON" {
		why = append(why, fmt.Sprintf("node is not ready (wsrep_ready %s)", st.ready))
	}
	if st.state != "Synced" {
		why = append(why, fmt.Sprintf("node is %s, not Synced", st.state))
	}
	if st.active == "true" || st.active == "ON" {
		why = append(why, "flow control is active")
	}
	if st.pausedFraction > maxPaused {
		why = append(why, fmt.Sprintf("node was paused by flow control %.0f%% of the time since the last check (limit %.0f%%)", 100*st.pausedFraction, 100*maxPaused))
	}
	if st.recvQueue > maxQueue {
		why = append(why, fmt.Sprintf("receive queue is %d write sets long (limit %d)", st.recvQueue, maxQueue))
	}
	if len(why) > 0 {
		return Hold{Held: true, Reason: strings.Join(why, "; ")}
	}
	return Hold{Reason: fmt.Sprintf("node Synced, receive queue %d", st.recvQueue)}
}
