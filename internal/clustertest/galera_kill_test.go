package clustertest

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// TestGaleraNodeKilledMidRun: a checkpointed chunk.Run on node 2 loses its
// node (SIGKILL) while the fourth chunk's transaction is open. The run must
// fail cleanly — a *ChunkError saying to resume after the third chunk, that
// chunk's writes gone — and the same run, started again on node 1 with the
// same checkpoint name, must finish the rest: every row exactly once. Node 2
// is restarted afterwards and must hold the same data.
func TestGaleraNodeKilledMidRun(t *testing.T) {
	ctx := testContext(t)
	nodes := dbtest.Galera(t)
	if os.Getenv(dbtest.EnvGaleraControl) == "" {
		t.Skipf("%s not set: skipping a test that kills a Galera node", dbtest.EnvGaleraControl)
	}
	seedAccounts(t, nodes[0].DB, galeraRows)
	if err := nodes[0].AutoMigrate(&Visit{}); err != nil {
		t.Fatal(err)
	}
	galeraSync(t, nodes, "visits")
	// Later tests need three nodes, whatever happens here.
	t.Cleanup(func() { dbtest.GaleraNode(t, "start-node", 2) })

	const (
		size   = 25
		killAt = 3 // the chunk during which node 2 dies
	)
	kill := true
	work := func(tx *gorm.DB, part []Account) error {
		ids := make([]int64, len(part))
		visits := make([]Visit, len(part))
		for i, a := range part {
			ids[i] = a.ID
			visits[i] = Visit{AccountID: a.ID, Run: "kill"}
		}
		if err := tx.Create(&visits).Error; err != nil {
			return err
		}
		if err := tx.Model(&Account{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + ?", galeraRunBonus)).Error; err != nil {
			return err
		}
		if kill && part[0].ID == killAt*size+1 {
			kill = false
			dbtest.GaleraNode(t, "kill-node", 2)
		}
		return nil
	}

	rep, err := chunk.Run(ctx, nodes[1].Model(&Account{}), work, chunk.Checkpoint("galera-kill"), chunk.Size(size))
	var chunkErr *chunk.ChunkError
	if !errors.As(err, &chunkErr) {
		t.Fatalf("run on the killed node: %v (report %+v), want a *chunk.ChunkError", err, rep)
	}
	if chunkErr.Index != killAt || chunkErr.RowsDone != killAt*size || !reflect.DeepEqual(chunkErr.ResumeAfter, []any{int64(killAt * size)}) {
		t.Fatalf("chunk error %+v: want chunk %d failed, %d rows done, resume after key %d", chunkErr, killAt, killAt*size, killAt*size)
	}
	if rep.Rows != killAt*size || rep.Chunks != killAt {
		t.Fatalf("report of the failed run %+v, want %d rows in %d chunks", rep, killAt*size, killAt)
	}
	t.Logf("run on node 2 failed cleanly after %d attempts of chunk %d: %v", chunkErr.Attempts, chunkErr.Index, chunkErr.Err)

	survivors := []*dbtest.DB{nodes[0], nodes[2]}
	for i, node := range survivors {
		var visited int64
		if err := dbtest.Causal(t, node).Model(&Visit{}).Count(&visited).Error; err != nil {
			t.Fatal(err)
		}
		if visited != killAt*size {
			t.Fatalf("survivor %d: %d visits after the kill, want the %d of the committed chunks", i+1, visited, killAt*size)
		}
	}

	rep, err = chunk.Run(ctx, nodes[0].Model(&Account{}), work, chunk.Checkpoint("galera-kill"), chunk.Size(size))
	if err != nil {
		t.Fatalf("resuming on node 1: %v", err)
	}
	if !rep.Resumed || rep.Rows != galeraRows-killAt*size || rep.RowsDone != galeraRows {
		t.Fatalf("resumed run %+v, want %d more rows, %d done", rep, galeraRows-killAt*size, galeraRows)
	}
	checkExactlyOnce(t, survivors, nil)

	dbtest.GaleraNode(t, "start-node", 2)
	restarted := &dbtest.DB{DB: dbtest.Reopen(t, nodes[1]), Dialect: nodes[1].Dialect, DSN: nodes[1].DSN}
	checkExactlyOnce(t, []*dbtest.DB{restarted}, nil)
}
