package dbtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// Environment variables naming the multi-server setups that scripts/cluster.sh
// starts (`eval "$(scripts/cluster.sh env)"` sets all three).
const (
	// EnvPGStandby holds two PostgreSQL DSNs separated by "|": the primary,
	// then a streaming hot standby of it.
	EnvPGStandby = "GORMUP_TEST_PG_STANDBY"
	// EnvGalera holds the DSNs of the three nodes of a MariaDB Galera cluster,
	// separated by "|".
	EnvGalera = "GORMUP_TEST_GALERA"
	// EnvGaleraControl is the path of scripts/cluster.sh, which GaleraNode
	// runs to kill and restart nodes. Unset, tests that need it skip.
	EnvGaleraControl = "GORMUP_TEST_GALERA_CONTROL"
)

// ClusterWait bounds every wait of the cluster helpers: for a schema, a
// database or rows to reach a replica, and for a restarted node.
const ClusterWait = 60 * time.Second

// StandbyDB is one test's own schema on a PostgreSQL primary and its hot
// standby. The schema is created on the primary, reaches the standby through
// replication, and is dropped on the primary in the test's cleanup.
type StandbyDB struct {
	// Primary is a handle on the primary alone.
	Primary *gorm.DB
	// Standby is a handle on the standby alone; it is read-only: a write
	// fails with "cannot execute ... in a read-only transaction".
	Standby *gorm.DB
	// Resolved is opened on the primary with gorm.io/plugin/dbresolver
	// registered, the standby as its only replica: dbresolver sends writes,
	// locking reads and transactions to the primary and other reads to the
	// standby.
	Resolved *gorm.DB
	// PrimaryDSN and StandbyDSN reach the test's schema on each server.
	PrimaryDSN, StandbyDSN string
}

// Standby returns a fresh schema on the primary and standby named by
// GORMUP_TEST_PG_STANDBY, once the schema is visible on the standby. It skips
// tb when the variable is unset and fails it when it is malformed or a server
// cannot be reached.
func Standby(tb testing.TB) *StandbyDB {
	tb.Helper()
	dsns := clusterDSNs(tb, EnvPGStandby, 2)
	admin := openAdmin(tb, Postgres, dsns[0])
	schema := isolatedName(tb)
	if err := admin.Exec(`CREATE SCHEMA "` + schema + `"`).Error; err != nil {
		tb.Fatalf("dbtest: %s: creating schema on the primary: %v", EnvPGStandby, err)
	}
	tb.Cleanup(func() {
		if err := admin.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`).Error; err != nil {
			tb.Errorf("dbtest: dropping schema %s: %v", schema, err)
		}
	})
	s := &StandbyDB{
		PrimaryDSN: withPostgresSearchPath(dsns[0], schema),
		StandbyDSN: withPostgresSearchPath(dsns[1], schema),
	}
	s.Primary = OpenDSN(tb, Postgres, s.PrimaryDSN)
	s.Standby = OpenDSN(tb, Postgres, s.StandbyDSN)
	var inRecovery bool
	if err := s.Standby.Raw("SELECT pg_is_in_recovery()").Scan(&inRecovery).Error; err != nil || !inRecovery {
		tb.Fatalf("dbtest: %s: the second DSN is not a hot standby (in recovery: %v, error: %v)", EnvPGStandby, inRecovery, err)
	}
	s.Resolved = openResolved(tb, s.PrimaryDSN, s.StandbyDSN)
	s.Await(tb, "schema "+schema, "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema)
	return s
}

// openResolved opens the primary with dbresolver routing reads to the
// standby. Each gorm.Open gets a gorm.Config of its own (dbresolver copies
// the one it is given), and the replica's pool is closed in tb.Cleanup.
func openResolved(tb testing.TB, primaryDSN, standbyDSN string) *gorm.DB {
	tb.Helper()
	db := OpenDSN(tb, Postgres, primaryDSN)
	resolver := dbresolver.Register(dbresolver.Config{
		Replicas: []gorm.Dialector{postgres.Open(standbyDSN)},
	})
	if err := db.Use(resolver); err != nil {
		tb.Fatalf("dbtest: registering dbresolver: %v", err)
	}
	tb.Cleanup(func() {
		_ = resolver.Call(func(pool gorm.ConnPool) error {
			if c, ok := pool.(io.Closer); ok {
				c.Close()
			}
			return nil
		})
	})
	return db
}

// Sync waits, at most ClusterWait, until the standby has replayed every
// change the primary had written when Sync was called; reads on the standby
// then see them. It fails tb on timeout.
func (s *StandbyDB) Sync(tb testing.TB) {
	tb.Helper()
	var lsn string
	if err := s.Primary.Raw("SELECT pg_current_wal_lsn()::text").Scan(&lsn).Error; err != nil {
		tb.Fatalf("dbtest: reading the primary's WAL position: %v", err)
	}
	s.Await(tb, "WAL position "+lsn, "SELECT CASE WHEN pg_last_wal_replay_lsn() >= ?::pg_lsn THEN 1 ELSE 0 END", lsn)
}

// Await polls query (returning one integer) on the standby until it returns a
// non-zero value, failing tb after ClusterWait; what names the awaited thing.
func (s *StandbyDB) Await(tb testing.TB, what, query string, args ...any) {
	tb.Helper()
	awaitNonZero(tb, s.Standby, "the standby", what, query, args...)
}

func awaitNonZero(tb testing.TB, db *gorm.DB, where, what, query string, args ...any) {
	tb.Helper()
	deadline := time.Now().Add(ClusterWait)
	for {
		var n int64
		err := db.Raw(query, args...).Scan(&n).Error
		if err == nil && n != 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("dbtest: %s did not reach %s within %s (last error: %v)", what, where, ClusterWait, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Galera returns one handle per node of the cluster named by
// GORMUP_TEST_GALERA, all on one fresh database created on the first node
// and replicated to the others (Galera replicates DDL), dropped in tb.Cleanup
// through the first node that answers. Each
// handle's DSN keeps the variable's parameters; reads on it are not causal
// (wsrep_sync_wait=0): use Causal to read what another node committed. It
// skips tb when the variable is unset and fails it when a node cannot be
// reached.
func Galera(tb testing.TB) []*DB {
	tb.Helper()
	dsns := clusterDSNs(tb, EnvGalera, 3)
	cfgs := make([]*gomysql.Config, len(dsns))
	for i, dsn := range dsns {
		cfg, err := gomysql.ParseDSN(dsn)
		if err != nil {
			tb.Fatalf("dbtest: %s: node %d: invalid DSN: %v", EnvGalera, i+1, err)
		}
		cfgs[i] = cfg
	}
	name := isolatedName(tb)
	admins := make([]*gorm.DB, len(dsns))
	for i, dsn := range dsns {
		admins[i] = openAdmin(tb, MySQL, dsn)
	}
	if err := admins[0].Exec("CREATE DATABASE `" + name + "`").Error; err != nil {
		tb.Fatalf("dbtest: %s: creating database on node 1: %v", EnvGalera, err)
	}
	tb.Cleanup(func() {
		// A test may leave a node down: drop through the first one that answers.
		var errs []string
		for i, admin := range admins {
			err := admin.Exec("DROP DATABASE IF EXISTS `" + name + "`").Error
			if err == nil {
				return
			}
			errs = append(errs, fmt.Sprintf("node %d: %v", i+1, err))
		}
		tb.Errorf("dbtest: dropping database %s: %s", name, strings.Join(errs, "; "))
	})
	nodes := make([]*DB, len(dsns))
	for i, cfg := range cfgs {
		awaitNonZero(tb, admins[i], fmt.Sprintf("Galera node %d", i+1), "database "+name,
			"SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", name)
		c := cfg.Clone()
		c.DBName = name
		c.ParseTime = true
		dsn := c.FormatDSN()
		nodes[i] = &DB{DB: OpenDSN(tb, MySQL, dsn), Dialect: MySQL, DSN: dsn}
	}
	return nodes
}

// Causal opens another handle on node's database whose reads first wait for
// every write set the cluster committed before them (wsrep_sync_wait=1), so
// a value committed through any node is visible. The handle is closed in
// tb.Cleanup.
func Causal(tb testing.TB, node *DB) *gorm.DB {
	tb.Helper()
	cfg, err := gomysql.ParseDSN(node.DSN)
	if err != nil {
		tb.Fatalf("dbtest: invalid DSN: %v", err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["wsrep_sync_wait"] = "1"
	return OpenDSN(tb, MySQL, cfg.FormatDSN())
}

// GaleraNode runs the cluster control script named by
// GORMUP_TEST_GALERA_CONTROL with action ("kill-node", "stop-node" or
// "start-node") on node (1-based), waiting at most a few minutes; start-node
// returns once the node is synced. It skips tb when the variable is unset and
// fails it when the script fails.
func GaleraNode(tb testing.TB, action string, node int) {
	tb.Helper()
	script := os.Getenv(EnvGaleraControl)
	if script == "" {
		tb.Skipf("%s not set: skipping a test that stops Galera nodes", EnvGaleraControl)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, script, action, strconv.Itoa(node)).CombinedOutput()
	if err != nil {
		tb.Fatalf("dbtest: %s %s %d: %v\n%s", script, action, node, err, out)
	}
}

// clusterDSNs splits the "|"-separated DSNs of env, skipping tb when env is
// unset and failing it unless there are exactly n.
func clusterDSNs(tb testing.TB, env string, n int) []string {
	tb.Helper()
	v := os.Getenv(env)
	if v == "" {
		tb.Skipf("%s not set: skipping (start the setups with scripts/cluster.sh start; eval \"$(scripts/cluster.sh env)\")", env)
	}
	dsns := strings.Split(v, "|")
	for i := range dsns {
		dsns[i] = strings.TrimSpace(dsns[i])
	}
	if len(dsns) != n {
		tb.Fatalf("dbtest: %s holds %d DSNs separated by '|', want %d", env, len(dsns), n)
	}
	return dsns
}

// replayLockKey is the advisory lock key (on the primary) that PauseReplay
// holds: "gormup" in ASCII.
const replayLockKey = 0x676f726d7570

// PauseReplay stops the standby from applying the primary's WAL until the
// test ends, so that every row written on the primary from now on is missing
// on the standby. The standby resumes in tb.Cleanup. An advisory lock on the
// primary, held until then, keeps two test processes (go test runs packages
// in parallel) from pausing and resuming the one standby under each other;
// every test that pauses replay must go through here.
func (s *StandbyDB) PauseReplay(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*ClusterWait)
	tb.Cleanup(cancel)
	sqlDB, err := s.Primary.DB()
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", replayLockKey); err != nil {
		conn.Close()
		tb.Fatalf("taking the replay lock: %v", err)
	}
	tb.Cleanup(func() {
		// Closing the session releases its advisory lock.
		conn.Close()
	})
	s.Sync(tb)
	if err := s.Standby.Exec("SELECT pg_wal_replay_pause()").Error; err != nil {
		tb.Fatalf("pausing WAL replay on the standby: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Standby.Exec("SELECT pg_wal_replay_resume()").Error; err != nil {
			tb.Errorf("resuming WAL replay on the standby: %v", err)
		}
	})
	var state string
	deadline := time.Now().Add(ClusterWait)
	for state != "paused" {
		if err := s.Standby.Raw("SELECT pg_get_wal_replay_pause_state()").Scan(&state).Error; err != nil {
			tb.Fatalf("reading the standby's replay state: %v", err)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("standby replay state %q, want paused", state)
		}
		if state != "paused" {
			time.Sleep(20 * time.Millisecond)
		}
	}
}
