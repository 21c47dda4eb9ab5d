package throttle_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/throttle"
)

// TestPostgresLagHoldsWhileStandbyReplayIsPaused pauses the standby's replay,
// writes on the primary, and requires both lag checks to hold a waiter until
// replay resumes.
func TestPostgresLagHoldsWhileStandbyReplayIsPaused(t *testing.T) {
	s := dbtest.Standby(t)
	ctx := context.Background()
	const limit = 1 << 20
	checks := []throttle.Check{
		&throttle.PostgresReplicas{DB: s.Primary, MaxBytes: limit, MaxLag: time.Hour, MinReplicas: 1},
		&throttle.PostgresStandby{DB: s.Standby, MaxBytes: limit, MaxLag: time.Hour},
		// The same standby judged by time alone.
		&throttle.PostgresStandby{DB: s.Standby, MaxBytes: 1 << 40, MaxLag: time.Millisecond},
		// Under dbresolver the primary's view is read on the primary (on the
		// standby it would fail with ErrNotPrimary).
		&throttle.PostgresReplicas{DB: s.Resolved, MaxBytes: limit, MaxLag: time.Hour},
	}
	// Caught up (other tests may be writing: wait for a quiet moment).
	settle := &throttle.Waiter{Checks: checks, Poll: 50 * time.Millisecond, MaxHold: dbtest.ClusterWait}
	if _, err := settle.Wait(ctx); err != nil {
		t.Fatalf("the caught-up standby holds: %v", err)
	}

	s.PauseReplay(t) // resumed in t.Cleanup; serialised with other test processes
	// About 8 MB of WAL, well over the 1 MB limit.
	dbtest.MustExec(t, s.Primary, "CREATE TABLE wal_filler AS SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 60000) g")

	holds := make(chan throttle.Waiting, 1000)
	w := &throttle.Waiter{Checks: checks, Poll: 50 * time.Millisecond, MaxHold: 5 * time.Minute,
		OnHold: func(h throttle.Waiting) { holds <- h }}
	done := make(chan error, 1)
	go func() { _, err := w.Wait(ctx); done <- err }()
	// Wait until the primary's and the standby's views all hold (the standby
	// must first receive the WAL it cannot replay), then a few polls more.
	both := 0
	for both < 3 {
		select {
		case h := <-holds:
			if strings.Contains(h.Reason, "bytes of WAL behind (limit 1048576)") &&
				strings.Contains(h.Reason, "bytes of WAL left to replay (limit 1048576) (replay is paused)") &&
				strings.Contains(h.Reason, "behind (limit 1ms) (replay is paused)") {
				both++
			}
		case err := <-done:
			t.Fatalf("Wait returned (%v) while the standby's replay is paused", err)
		}
	}
	dbtest.MustExec(t, s.Standby, "SELECT pg_wal_replay_resume()")
	if err := <-done; err != nil {
		t.Fatalf("Wait after resuming replay = %v, want nil", err)
	}
	var n int64
	s.Sync(t)
	if err := s.Standby.Raw("SELECT count(*) FROM wal_filler").Scan(&n).Error; err != nil || n != 60000 {
		t.Fatalf("standby has %d rows of wal_filler (%v), want 60000", n, err)
	}
}

func TestPostgresChecksRefuseTheWrongServer(t *testing.T) {
	s := dbtest.Standby(t)
	ctx := context.Background()
	if _, err := (&throttle.PostgresStandby{DB: s.Primary}).Check(ctx); !errors.Is(err, throttle.ErrNotReplica) {
		t.Errorf("PostgresStandby on the primary = %v, want ErrNotReplica", err)
	}
	if _, err := (&throttle.PostgresReplicas{DB: s.Standby}).Check(ctx); !errors.Is(err, throttle.ErrNotPrimary) {
		t.Errorf("PostgresReplicas on the standby = %v, want ErrNotPrimary", err)
	}
}

func TestChecksRefuseOtherDialects(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		checks := map[string]throttle.Check{
			"PostgresReplicas":  &throttle.PostgresReplicas{DB: db.DB},
			"PostgresStandby":   &throttle.PostgresStandby{DB: db.DB},
			"MySQLReplicaLag":   &throttle.MySQLReplicaLag{DB: db.DB},
			"GaleraFlowControl": &throttle.GaleraFlowControl{DB: db.DB},
		}
		for name, c := range checks {
			_, err := c.Check(ctx)
			pg := strings.HasPrefix(name, "Postgres")
			switch {
			case db.Dialect == dbtest.Postgres && pg:
				// The shared server is a primary without replicas.
				if name == "PostgresStandby" && !errors.Is(err, throttle.ErrNotReplica) {
					t.Errorf("%s = %v, want ErrNotReplica", name, err)
				}
				if name == "PostgresReplicas" && err != nil {
					t.Errorf("%s = %v, want no error", name, err)
				}
			case db.Dialect == dbtest.MySQL && name == "MySQLReplicaLag":
				if !errors.Is(err, throttle.ErrNotReplica) {
					t.Errorf("%s on a server without replication = %v, want ErrNotReplica", name, err)
				}
			case db.Dialect == dbtest.MySQL && name == "GaleraFlowControl":
				if !errors.Is(err, throttle.ErrWrongDialect) || !strings.Contains(err.Error(), "without wsrep") {
					t.Errorf("%s on a server without wsrep = %v, want ErrWrongDialect", name, err)
				}
			default:
				if !errors.Is(err, throttle.ErrWrongDialect) {
					t.Errorf("%s on %s = %v, want ErrWrongDialect", name, db.Dialect, err)
				}
			}
		}
	})
}

// TestGaleraFlowControlReadsTheLiveCluster reads every node of the cluster
// twice (the second reading has a paused fraction to compare) and checks the
// verdict against the node's own status.
func TestGaleraFlowControlReadsTheLiveCluster(t *testing.T) {
	nodes := dbtest.Galera(t)
	ctx := context.Background()
	for i, node := range nodes {
		c := &throttle.GaleraFlowControl{DB: node.DB, MaxRecvQueue: 1000}
		for range 2 {
			h, err := c.Check(ctx)
			if err != nil {
				t.Fatalf("node %d: %v", i+1, err)
			}
			state, active := status(t, node.DB, "wsrep_local_state_comment"), status(t, node.DB, "wsrep_flow_control_active")
			if state == "Synced" && active == "false" && h.Held {
				t.Errorf("node %d is %s without flow control, but the check holds: %s", i+1, state, h.Reason)
			}
			if state != "Synced" && !h.Held {
				t.Errorf("node %d is %s, but the check does not hold: %s", i+1, state, h.Reason)
			}
			if !h.Held && !strings.HasPrefix(h.Reason, "node Synced, receive queue ") {
				t.Errorf("node %d: reason %q, want the node's state and queue", i+1, h.Reason)
			}
		}
		// A node of a cluster is not an asynchronous replica.
		if _, err := (&throttle.MySQLReplicaLag{DB: node.DB}).Check(ctx); !errors.Is(err, throttle.ErrNotReplica) {
			t.Errorf("node %d: MySQLReplicaLag = %v, want ErrNotReplica", i+1, err)
		}
	}
}

func status(t *testing.T, db *gorm.DB, name string) string {
	t.Helper()
	var row struct {
		VariableName string `gorm:"column:Variable_name"`
		Value        string `gorm:"column:Value"`
	}
	if err := db.Raw("SHOW GLOBAL STATUS LIKE '" + name + "'").Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.Value
}
