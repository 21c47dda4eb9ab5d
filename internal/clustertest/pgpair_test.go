package clustertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// pgBinDir holds the PostgreSQL 15 server binaries a throwaway pair runs
// (GORMUP_PGBIN overrides it, as for scripts/cluster.sh).
const pgBinDir = "/usr/lib/postgresql/15/bin"

// pgCommandWait bounds each pg_ctl, initdb and pg_basebackup call.
const pgCommandWait = 90 * time.Second

// pgNode is one server of a throwaway pair.
type pgNode struct {
	name string // "primary" or "standby": its directory and log under the pair's dir
	port int
}

// pgPair is a PostgreSQL primary and a streaming hot standby of its own,
// started by one test in a temporary directory on free loopback ports, away
// from the default server and from scripts/cluster.sh's pair (5440/5441),
// which a test must never stop or promote. With synchronous replication
// (synchronous_standby_names = '*', synchronous_commit = on) a COMMIT the
// client saw succeed is on the standby's disk, so after a promotion the new
// primary has every acknowledged chunk; with asynchronous replication the
// last acknowledged commits may be lost with the primary.
type pgPair struct {
	dir              string
	bin              string
	primary, standby pgNode
}

// startPGPair starts a pair and stops and deletes it in t.Cleanup. With sync,
// commits wait for the standby; without, replication is asynchronous. It skips
// t when not root or the binaries or the postgres user are missing, unless
// CI=true, where it fails instead.
func startPGPair(t *testing.T, sync bool) *pgPair {
	t.Helper()
	bin := os.Getenv("GORMUP_PGBIN")
	if bin == "" {
		bin = pgBinDir
	}
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: "+format, args...)
		}
		t.Skipf(format+": skipping the failover test (it starts its own PostgreSQL pair as root)", args...)
	}
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("the nested sqlite-purego run: the -race run has the failover tests")
	}
	if os.Geteuid() != 0 {
		unavailable("not root")
	}
	for _, b := range []string{"initdb", "pg_ctl", "pg_basebackup", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			unavailable("PostgreSQL binaries missing: %v", err)
		}
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		unavailable("runuser missing: %v", err)
	}
	pgUser, err := user.Lookup("postgres")
	if err != nil {
		unavailable("no postgres user: %v", err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)

	// t.TempDir's parents are root's and closed to the postgres user.
	dir, err := os.MkdirTemp("", "gormup-failover-")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgPair{dir: dir, bin: bin, primary: pgNode{name: "primary"}, standby: pgNode{name: "standby"}}
	t.Cleanup(func() { p.destroy(t) })
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	p.primary.port, p.standby.port = freePort(t), freePort(t)
	for p.standby.port == p.primary.port {
		p.standby.port = freePort(t)
	}

	p.pg(t, "initdb", "-D", p.dataDir(p.primary), "-A", "trust", "-U", "postgres", "--no-sync")
	p.appendConf(t, p.primary, fmt.Sprintf(`
port = %d
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 64MB
max_connections = 50
shared_buffers = 32MB
fsync = off
`, p.primary.port, dir))
	syncState := "async"
	if sync {
		syncState = "sync"
		p.appendConf(t, p.primary, "synchronous_standby_names = '*'\nsynchronous_commit = on\n")
	}
	p.appendFile(t, filepath.Join(p.dataDir(p.primary), "pg_hba.conf"), "host replication all 127.0.0.1/32 trust\n")
	p.start(t, p.primary)

	p.pg(t, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.primary.port), "-U", "postgres",
		"-D", p.dataDir(p.standby), "-R", "-X", "stream", "-c", "fast", "--no-sync")
	// The standby inherits the primary's postgresql.conf. Once promoted it
	// has no standby of its own: it must not wait for one at COMMIT.
	p.appendConf(t, p.standby, fmt.Sprintf("port = %d\nsynchronous_standby_names = ''\n", p.standby.port))
	p.start(t, p.standby)

	admin := p.open(t, p.primary)
	await(t, admin, "the standby streaming ("+syncState+")",
		"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = ?", syncState)
	if !p.inRecovery(t, p.open(t, p.standby)) {
		t.Fatal("the standby is not in recovery")
	}
	return p
}

func (p *pgPair) dataDir(n pgNode) string { return filepath.Join(p.dir, n.name) }
func (p *pgPair) logFile(n pgNode) string { return filepath.Join(p.dir, n.name+".log") }

// dsn reaches the postgres database of n; connecting fails within 5 s.
func (p *pgPair) dsn(n pgNode) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable connect_timeout=5", n.port)
}

// open returns a handle on n, closed in t.Cleanup.
func (p *pgPair) open(t *testing.T, n pgNode) *gorm.DB {
	t.Helper()
	return dbtest.OpenDSN(t, dbtest.Postgres, p.dsn(n))
}

// pg runs a PostgreSQL binary as the postgres user, at most pgCommandWait,
// and returns its output; a failure fails t with the output and both logs'
// tails.
func (p *pgPair) pg(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := p.pgTry(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, p.logTails())
	}
	return out
}

func (p *pgPair) pgTry(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pgCommandWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", filepath.Join(p.bin, name)}, args...)...)
	cmd.Dir = p.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (p *pgPair) start(t *testing.T, n pgNode) {
	t.Helper()
	p.pg(t, "pg_ctl", "-D", p.dataDir(n), "-l", p.logFile(n), "-w", "-t", "60", "start")
}

// failover stops the primary the way a crash would (pg_ctl stop -m
// immediate: no checkpoint, backends killed, clients cut off
// mid-transaction) and promotes the standby; pg_ctl promote -w returns once
// it is out of recovery. It touches no testing.T, so a goroutine may call it.
func (p *pgPair) failover() error {
	if out, err := p.pgTry("pg_ctl", "-D", p.dataDir(p.primary), "-m", "immediate", "-w", "-t", "30", "stop"); err != nil {
		return fmt.Errorf("stopping the primary: %w\n%s%s", err, out, p.logTails())
	}
	if out, err := p.pgTry("pg_ctl", "-D", p.dataDir(p.standby), "-w", "-t", "60", "promote"); err != nil {
		return fmt.Errorf("promoting the standby: %w\n%s%s", err, out, p.logTails())
	}
	return nil
}

func (p *pgPair) inRecovery(t *testing.T, db *gorm.DB) bool {
	t.Helper()
	var in bool
	if err := db.Raw("SELECT pg_is_in_recovery()").Scan(&in).Error; err != nil {
		t.Fatalf("SELECT pg_is_in_recovery(): %v", err)
	}
	return in
}

// destroy stops both servers (immediately: their data is thrown away) and
// deletes the directory. A server pg_ctl cannot stop is killed by the pid in
// its postmaster.pid, which this test started.
func (p *pgPair) destroy(t *testing.T) {
	for _, n := range []pgNode{p.standby, p.primary} {
		pidFile := filepath.Join(p.dataDir(n), "postmaster.pid")
		if _, err := os.Stat(pidFile); err != nil {
			continue
		}
		if out, err := p.pgTry("pg_ctl", "-D", p.dataDir(n), "-m", "immediate", "-w", "-t", "30", "stop"); err != nil {
			t.Logf("stopping %s: %v\n%s", n.name, err, out)
			if b, err := os.ReadFile(pidFile); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])); err == nil && pid > 1 {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	}
	if err := os.RemoveAll(p.dir); err != nil {
		t.Errorf("removing %s: %v", p.dir, err)
	}
}

func (p *pgPair) appendConf(t *testing.T, n pgNode, text string) {
	t.Helper()
	p.appendFile(t, filepath.Join(p.dataDir(n), "postgresql.conf"), "# gormup failover test\n"+text)
}

func (p *pgPair) appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// logTails returns the last lines of both servers' logs, for a failure
// message.
func (p *pgPair) logTails() string {
	var b strings.Builder
	for _, n := range []pgNode{p.primary, p.standby} {
		data, err := os.ReadFile(p.logFile(n))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		fmt.Fprintf(&b, "\n--- %s log ---\n%s", n.name, strings.Join(lines, "\n"))
	}
	return b.String()
}

// freePort returns a loopback TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// await polls query (one integer) on db until it is non-zero, failing t
// after dbtest.ClusterWait; what names the awaited state.
func await(t *testing.T, db *gorm.DB, what, query string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(dbtest.ClusterWait)
	for {
		var n int64
		err := db.Raw(query, args...).Scan(&n).Error
		if err == nil && n != 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s (last error: %v)", what, dbtest.ClusterWait, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
