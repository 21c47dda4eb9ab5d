// Package clustertest holds gormup's tests on more than one server; it has no
// code of its own. They run on the setups scripts/cluster.sh starts on
// loopback:
//
//	scripts/cluster.sh start && eval "$(scripts/cluster.sh env)"
//	go test -race -count=1 ./internal/clustertest/
//
// A PostgreSQL primary with a streaming hot standby (GORMUP_TEST_PG_STANDBY)
// behind gorm.io/plugin/dbresolver: every write, locked read, transaction,
// checkpoint and DDL of gormup must reach the primary, while plain projection
// reads may be served by the standby. A three-node MariaDB Galera cluster
// (GORMUP_TEST_GALERA): writers spread over the nodes, whose conflicts surface
// as deadlock errors at COMMIT, must lose no update and see no error with
// default options (the retry budget is time, not a count of attempts), and a
// checkpointed chunk.Run must process every row exactly once even when a node
// is killed under it (GORMUP_TEST_GALERA_CONTROL). Unset variables skip the
// tests by name.
//
// The failover tests start a PostgreSQL primary and standby of their own, in
// a temporary directory on free loopback ports (never cluster.sh's pair,
// which other tests share): a checkpointed chunk.Run loses its primary
// (pg_ctl stop -m immediate) mid-run, the standby is promoted, the run fails
// with a *chunk.ChunkError, and a rerun on the new primary finishes every row
// exactly once — with synchronous replication (the new primary holds exactly
// the acknowledged chunks) and asynchronous (it may lack the last ones; its
// checkpoint and the rows still agree). They need root and the PostgreSQL 15
// binaries (GORMUP_PGBIN overrides /usr/lib/postgresql/15/bin); without them
// they skip, and with CI=true they fail. The counter race also runs on each single server dbtest
// configures, SQLite always.
package clustertest
