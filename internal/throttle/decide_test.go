package throttle

import (
	"database/sql"
	"errors"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestReplicasHold(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []pgReplicaRow
		min  int
		want Hold
	}{
		{"no replica", nil, 0, Hold{}},
		{"no replica, one required", nil, 1, Hold{Held: true, Reason: "0 replicas connected, 1 required"}},
		{"idle primary, caught up", []pgReplicaRow{{Name: "s1", State: "streaming", BehindBytes: ptr[int64](0)}}, 1,
			Hold{Reason: "replica s1 is 0 bytes behind"}},
		{"bytes over", []pgReplicaRow{{Name: "s1", BehindBytes: ptr[int64](2048), LagSeconds: ptr(0.0)}}, 0,
			Hold{Held: true, Reason: "replica s1 is 2048 bytes of WAL behind (limit 1024)"}},
		{"bytes at limit", []pgReplicaRow{{Name: "s1", BehindBytes: ptr[int64](1024)}}, 0,
			Hold{Reason: "replica s1 is 1024 bytes behind"}},
		{"time over", []pgReplicaRow{{Name: "s1", BehindBytes: ptr[int64](10), LagSeconds: ptr(2.5)}}, 0,
			Hold{Held: true, Reason: "replica s1 replay lag is 2.5s (limit 1s)"}},
		{"no replay position", []pgReplicaRow{{Name: "s1", State: "catchup"}}, 0,
			Hold{Held: true, Reason: "replica s1 (catchup) has not reported a replay position"}},
		{"one of two behind", []pgReplicaRow{{Name: "a", BehindBytes: ptr[int64](0)}, {Name: "b", BehindBytes: ptr[int64](5000)}}, 0,
			Hold{Held: true, Reason: "replica b is 5000 bytes of WAL behind (limit 1024)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := replicasHold(tc.rows, 1024, time.Second, tc.min); got != tc.want {
				t.Errorf("replicasHold() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStandbyHold(t *testing.T) {
	for _, tc := range []struct {
		name string
		row  pgStandbyRow
		want Hold
	}{
		{"idle, caught up", pgStandbyRow{InRecovery: true, Streaming: 1}, Hold{Reason: "standby has 0 bytes left to replay, 0s behind"}},
		{"paused with nothing to replay", pgStandbyRow{InRecovery: true, Streaming: 1, ReplayPaused: true},
			Hold{Reason: "standby has 0 bytes left to replay, 0s behind (replay is paused)"}},
		{"bytes over", pgStandbyRow{InRecovery: true, Streaming: 1, BehindBytes: 4096, ReplayPaused: true},
			Hold{Held: true, Reason: "standby has 4096 bytes of WAL left to replay (limit 1024) (replay is paused)"}},
		{"time over", pgStandbyRow{InRecovery: true, Streaming: 1, BehindBytes: 10, LagSeconds: 3},
			Hold{Held: true, Reason: "standby replay is 3s behind (limit 1s)"}},
		{"not streaming", pgStandbyRow{InRecovery: true},
			Hold{Held: true, Reason: "standby has no streaming WAL receiver: its lag is unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := standbyHold(tc.row, 1024, time.Second); got != tc.want {
				t.Errorf("standbyHold() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReplicaStatusHold(t *testing.T) {
	s := func(v string) sql.NullString { return sql.NullString{String: v, Valid: true} }
	null := sql.NullString{}
	for _, tc := range []struct {
		name    string
		rows    []map[string]sql.NullString
		want    Hold
		wantErr error
	}{
		{"not a replica", nil, Hold{}, ErrNotReplica},
		{"MariaDB caught up", []map[string]sql.NullString{{"Connection_name": s(""), "Slave_IO_Running": s("Yes"), "Slave_SQL_Running": s("Yes"), "Seconds_Behind_Master": s("0")}},
			Hold{Reason: "replica is 0s behind"}, nil},
		{"MySQL 8 lagging", []map[string]sql.NullString{{"Channel_Name": s(""), "Replica_IO_Running": s("Yes"), "Replica_SQL_Running": s("Yes"), "Seconds_Behind_Source": s("5")}},
			Hold{Held: true, Reason: "replica is 5s behind (limit 2s)"}, nil},
		{"at the limit", []map[string]sql.NullString{{"Seconds_Behind_Master": s("2")}}, Hold{Reason: "replica is 2s behind"}, nil},
		{"SQL thread stopped", []map[string]sql.NullString{{"Slave_IO_Running": s("Yes"), "Slave_SQL_Running": s("No"), "Seconds_Behind_Master": null}},
			Hold{Held: true, Reason: "replica lag is unknown (Seconds_Behind_Master is NULL; IO thread Yes, SQL thread No): replication is stopped or broken"}, nil},
		{"multi-source, one behind", []map[string]sql.NullString{
			{"Connection_name": s("east"), "Seconds_Behind_Master": s("0")},
			{"Connection_name": s("west"), "Seconds_Behind_Master": s("60")}},
			Hold{Held: true, Reason: "replica connection west is 1m0s behind (limit 2s)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := replicaStatusHold(tc.rows, 2*time.Second)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("replicaStatusHold() error = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("replicaStatusHold() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestGaleraHold(t *testing.T) {
	synced := galeraStatus{ready: "ON", state: "Synced", active: "false", pausedFraction: -1}
	with := func(f func(*galeraStatus)) galeraStatus { s := synced; f(&s); return s }
	for _, tc := range []struct {
		name string
		st   galeraStatus
		want Hold
	}{
		{"synced, idle", synced, Hold{Reason: "node Synced, receive queue 0"}},
		{"desynced donor", with(func(s *galeraStatus) { s.state = "Donor/Desynced" }), Hold{Held: true, Reason: "node is Donor/Desynced, not Synced"}},
		{"not ready", with(func(s *galeraStatus) { s.ready = "OFF"; s.state = "Initialized" }),
			Hold{Held: true, Reason: "node is not ready (wsrep_ready OFF); node is Initialized, not Synced"}},
		{"flow control active", with(func(s *galeraStatus) { s.active = "true" }), Hold{Held: true, Reason: "flow control is active"}},
		{"paused a quarter", with(func(s *galeraStatus) { s.pausedFraction = 0.25 }),
			Hold{Held: true, Reason: "node was paused by flow control 25% of the time since the last check (limit 10%)"}},
		{"paused a little", with(func(s *galeraStatus) { s.pausedFraction = 0.05 }), Hold{Reason: "node Synced, receive queue 0"}},
		{"long queue", with(func(s *galeraStatus) { s.recvQueue = 17 }), Hold{Held: true, Reason: "receive queue is 17 write sets long (limit 16)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := galeraHold(tc.st, DefaultMaxFlowPaused, DefaultMaxRecvQueue); got != tc.want {
				t.Errorf("galeraHold() = %+v, want %+v", got, tc.want)
			}
		})
	}
}
