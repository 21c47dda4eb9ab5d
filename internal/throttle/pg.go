package throttle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dialect"
)

// Defaults of the replica-lag checks' zero fields.
const (
	// DefaultMaxLagBytes is the WAL a PostgreSQL replica may have left to
	// replay: 16 MiB, one WAL segment.
	DefaultMaxLagBytes = 16 << 20
	// DefaultMaxLag is the replay delay a replica may show, as gh-ost's
	// --max-lag-millis.
	DefaultMaxLag = 1500 * time.Millisecond
)

// PostgresReplicas holds a run while a streaming replica of the PostgreSQL
// primary DB is too far behind. It reads pg_stat_replication on the primary:
// the WAL bytes between pg_current_wal_lsn() and each replica's replay_lsn,
// and replay_lag. An idle primary whose replicas caught up shows no lag
// (0 bytes; replay_lag turns NULL shortly after the last write). The bytes
// are the reliable signal while a replica's replay is stuck: replay_lag only
// changes when the replica reports progress.
//
// Reading another session's replication columns needs superuser or the
// pg_monitor role; without it they read NULL, which holds. Reading a standby
// fails with ErrNotPrimary. PostgresReplicas is safe for concurrent use.
type PostgresReplicas struct {
	// DB reaches the primary; under dbresolver its reads are sent to the
	// primary.
	DB *gorm.DB
	// MaxBytes is the WAL, in bytes, a replica may have left to replay. Zero
	// means DefaultMaxLagBytes; negative is refused.
	MaxBytes int64
	// MaxLag is the largest replay_lag allowed. Zero means DefaultMaxLag;
	// negative is refused.
	MaxLag time.Duration
	// MinReplicas holds the run while fewer replicas are connected (a
	// replica that is down lags without showing in pg_stat_replication).
	// Zero requires none; negative is refused.
	MinReplicas int
}

func (c *PostgresReplicas) String() string { return "PostgresReplicas" }

type pgReplicaRow struct {
	Name        string
	State       string
	BehindBytes *int64
	LagSeconds  *float64
}

const pgReplicasQuery = `SELECT COALESCE(NULLIF(application_name, ''), client_addr::text, pid::text) AS name,
	COALESCE(state, '') AS state,
	pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS behind_bytes,
	EXTRACT(EPOCH FROM replay_lag)::float8 AS lag_seconds
FROM pg_stat_replication ORDER BY 1`

// Check reads pg_stat_replication on the primary.
func (c *PostgresReplicas) Check(ctx context.Context) (Hold, error) {
	maxBytes, maxLag, err := lagLimits("PostgresReplicas", c.MaxBytes, c.MaxLag)
	if err != nil {
		return Hold{}, err
	}
	if c.MinReplicas < 0 {
		return Hold{}, invalid("PostgresReplicas.MinReplicas", "is %d; zero requires no replica, negative is not allowed", c.MinReplicas)
	}
	db, err := session(ctx, c.DB, true, "PostgresReplicas", dialect.Postgres)
	if err != nil {
		return Hold{}, err
	}
	var inRecovery bool
	if err := db.Raw("SELECT pg_is_in_recovery()").Scan(&inRecovery).Error; err != nil {
		return Hold{}, fmt.Errorf("throttle: reading pg_is_in_recovery(): %w", err)
	}
	if inRecovery {
		return Hold{}, fmt.Errorf("%w: PostgresReplicas reads a standby; point it at the primary, or use PostgresStandby on the standby", ErrNotPrimary)
	}
	var rows []pgReplicaRow
	if err := db.Raw(pgReplicasQuery).Scan(&rows).Error; err != nil {
		return Hold{}, fmt.Errorf("throttle: reading pg_stat_replication: %w", err)
	}
	return replicasHold(rows, maxBytes, maxLag, c.MinReplicas), nil
}

func replicasHold(rows []pgReplicaRow, maxBytes int64, maxLag time.Duration, minReplicas int) Hold {
	var why, ok []string
	for _, r := range rows {
		switch {
		case r.BehindBytes == nil:
			why = append(why, fmt.Sprintf("replica %s (%s) has not reported a replay position", r.Name, r.State))
		case *r.BehindBytes > maxBytes:
			why = append(why, fmt.Sprintf("replica %s is %d bytes of WAL behind (limit %d)", r.Name, *r.BehindBytes, maxBytes))
		case r.LagSeconds != nil && seconds(*r.LagSeconds) > maxLag:
			why = append(why, fmt.Sprintf("replica %s replay lag is %s (limit %s)", r.Name, seconds(*r.LagSeconds).Round(time.Millisecond), maxLag))
		default:
			ok = append(ok, fmt.Sprintf("replica %s is %d bytes behind", r.Name, *r.BehindBytes))
		}
	}
	if len(rows) < minReplicas {
		why = append(why, fmt.Sprintf("%d replicas connected, %d required", len(rows), minReplicas))
	}
	if len(why) > 0 {
		return Hold{Held: true, Reason: strings.Join(why, "; ")}
	}
	return Hold{Reason: strings.Join(ok, "; ")}
}

// PostgresStandby holds a run while the PostgreSQL hot standby DB is too far
// behind its primary, read on the standby itself (the replica a dbresolver
// setup knows): the WAL received but not yet replayed, and the age of the
// last replayed transaction while there is WAL left to replay (an idle
// primary sends nothing, so an old replay timestamp alone is not lag). It
// also holds while the standby has no streaming WAL receiver: a disconnected
// standby cannot tell how far behind it is. Reading a server that is not in
// recovery fails with ErrNotReplica. PostgresStandby is safe for concurrent
// use.
type PostgresStandby struct {
	// DB reaches the standby alone.
	DB *gorm.DB
	// MaxBytes is the received WAL, in bytes, left to replay. Zero means
	// DefaultMaxLagBytes; negative is refused.
	MaxBytes int64
	// MaxLag is the largest replay delay allowed. Zero means DefaultMaxLag;
	// negative is refused.
	MaxLag time.Duration
}

func (c *PostgresStandby) String() string { return "PostgresStandby" }

type pgStandbyRow struct {
	InRecovery   bool
	BehindBytes  int64
	LagSeconds   float64
	ReplayPaused bool
	Streaming    int64
}

const pgStandbyQuery = `SELECT pg_is_in_recovery() AS in_recovery,
	COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint AS behind_bytes,
	CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
		ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag_seconds,
	CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS replay_paused,
	(SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming') AS streaming`

// Check reads the standby's receive and replay positions.
func (c *PostgresStandby) Check(ctx context.Context) (Hold, error) {
	maxBytes, maxLag, err := lagLimits("PostgresStandby", c.MaxBytes, c.MaxLag)
	if err != nil {
		return Hold{}, err
	}
	db, err := session(ctx, c.DB, false, "PostgresStandby", dialect.Postgres)
	if err != nil {
		return Hold{}, err
	}
	var r pgStandbyRow
	if err := db.Raw(pgStandbyQuery).Scan(&r).Error; err != nil {
		return Hold{}, fmt.Errorf("throttle: reading the standby's replay position: %w", err)
	}
	if !r.InRecovery {
		return Hold{}, fmt.Errorf("%w: PostgresStandby reads a server that is not in recovery; point it at a standby, or use PostgresReplicas on the primary", ErrNotReplica)
	}
	return standbyHold(r, maxBytes, maxLag), nil
}

func standbyHold(r pgStandbyRow, maxBytes int64, maxLag time.Duration) Hold {
	paused := ""
	if r.ReplayPaused {
		paused = " (replay is paused)"
	}
	lag := seconds(r.LagSeconds).Round(time.Millisecond)
	switch {
	case r.Streaming == 0:
		return Hold{Held: true, Reason: "standby has no streaming WAL receiver: its lag is unknown"}
	case r.BehindBytes > maxBytes:
		return Hold{Held: true, Reason: fmt.Sprintf("standby has %d bytes of WAL left to replay (limit %d)%s", r.BehindBytes, maxBytes, paused)}
	case seconds(r.LagSeconds) > maxLag:
		return Hold{Held: true, Reason: fmt.Sprintf("standby replay is %s behind (limit %s)%s", lag, maxLag, paused)}
	}
	return Hold{Reason: fmt.Sprintf("standby has %d bytes left to replay, %s behind%s", r.BehindBytes, lag, paused)}
}

func lagLimits(check string, maxBytes int64, maxLag time.Duration) (int64, time.Duration, error) {
	switch {
	case maxBytes < 0:
		return 0, 0, invalid(check+".MaxBytes", "is %d; zero means %d, negative is not allowed", maxBytes, DefaultMaxLagBytes)
	case maxLag < 0:
		return 0, 0, invalid(check+".MaxLag", "is %s; zero means %s, negative is not allowed", maxLag, DefaultMaxLag)
	}
	if maxBytes == 0 {
		maxBytes = DefaultMaxLagBytes
	}
	if maxLag == 0 {
		maxLag = DefaultMaxLag
	}
	return maxBytes, maxLag, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// session returns a fresh session of db bound to ctx after checking that
// db's family is one of want; with primary, dbresolver sends it to the
// primary.
func session(ctx context.Context, db *gorm.DB, primary bool, check string, want ...dialect.Family) (*gorm.DB, error) {
	if db == nil {
		return nil, invalid(check+".DB", "is nil")
	}
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return nil, err
	}
	if !d.OneOf(want...) {
		return nil, fmt.Errorf("%w: %s reads %s, not %s", ErrWrongDialect, check, joinFamilies(want), d.Name())
	}
	tx := db.Session(&gorm.Session{NewDB: true, Context: ctx})
	if primary {
		tx = dialect.Primary(tx)
	}
	return tx, nil
}

func joinFamilies(fs []dialect.Family) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, " or ")
}
