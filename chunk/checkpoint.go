package chunk

import (
	"context"
	"fmt"
	"time"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CheckpointTable is the table Run keeps checkpoints in, created on demand in
// db's default schema/database.
const CheckpointTable = "gormup_checkpoints"

// checkpointRow is one named checkpoint.
type checkpointRow struct {
	// Name identifies the run (Checkpoint option).
	Name string `gorm:"primaryKey;size:191"`
	// LastKey is the JSON-encoded key of the last committed row ("" before
	// the first chunk).
	LastKey string
	// RowsDone and Chunks count what has been committed under the name.
	// Chunks doubles as the version each chunk's update compares.
	RowsDone int64
	Chunks   int64
	// Done is set in the transaction that finds no row left.
	Done      bool
	UpdatedAt time.Time
}

func (checkpointRow) TableName() string { return CheckpointTable }

// checkpoints reads and writes one named checkpoint. Its db is a clean
// session (no model or conditions of the caller).
type checkpoints struct {
	name string
}

// ensureTable creates the checkpoint table unless it exists. Two runs
// creating it at once is fine: the loser sees the table afterwards. db must
// be a clean session (see open).
func ensureTable(db *gorm.DB) error {
	m := db.Migrator()
	if m.HasTable(&checkpointRow{}) {
		return nil
	}
	if err := m.CreateTable(&checkpointRow{}); err != nil && !m.HasTable(&checkpointRow{}) {
		return fmt.Errorf("chunk: creating %s: %w", CheckpointTable, err)
	}
	return nil
}

// open returns the stored checkpoint, creating (or with restart, resetting)
// it first. db must be a clean session (cleanSession) carrying the run's
// context.
func (c checkpoints) open(db *gorm.DB, restart bool) (checkpointRow, error) {
	if err := ensureTable(db); err != nil {
		return checkpointRow{}, err
	}
	fresh := checkpointRow{Name: c.name, UpdatedAt: checkpointNow()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return checkpointRow{}, fmt.Errorf("chunk: creating checkpoint %q: %w", c.name, err)
	}
	if restart {
		err := db.Model(&checkpointRow{}).Where("name = ?", c.name).
			Updates(map[string]any{"last_key": "", "rows_done": 0, "chunks": 0, "done": false, "updated_at": checkpointNow()}).Error
		if err != nil {
			return checkpointRow{}, fmt.Errorf("chunk: restarting checkpoint %q: %w", c.name, err)
		}
	}
	var row checkpointRow
	if err := db.Where("name = ?", c.name).Take(&row).Error; err != nil {
		return checkpointRow{}, fmt.Errorf("chunk: reading checkpoint %q: %w", c.name, err)
	}
	return row, nil
}

// advance records a committed chunk inside its transaction tx: it moves the
// checkpoint from version chunks to chunks+1 with the new key and row count,
// and fails with ErrCheckpointConflict when another run moved it first.
// With done it also marks the checkpoint finished. An empty key (the empty
// last chunk) leaves the key, the count and the version unchanged.
func (c checkpoints) advance(tx *gorm.DB, chunks int64, key string, rows int64, done bool) error {
	set := map[string]any{"updated_at": checkpointNow()}
	if key != "" {
		set["last_key"] = key
		set["rows_done"] = gorm.Expr("rows_done + ?", rows)
		set["chunks"] = chunks + 1
	}
	if done {
		set["done"] = true
	}
	res := tx.Model(&checkpointRow{}).Where("name = ? AND chunks = ? AND done = ?", c.name, chunks, false).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("chunk: advancing checkpoint %q: %w", c.name, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("%w: %q is no longer at chunk %d", ErrCheckpointConflict, c.name, chunks)
	}
	return nil
}

// DeleteCheckpoint removes the checkpoint name, so a later Run of that name
// starts from the beginning. It is not an error if the checkpoint or its
// table does not exist.
func DeleteCheckpoint(ctx context.Context, db *gorm.DB, name string) error {
	// The checkpoint lives on the primary: a lagging replica may not have it.
	db = dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx}))
	if !db.Migrator().HasTable(&checkpointRow{}) {
		return nil
	}
	if err := db.Where("name = ?", name).Delete(&checkpointRow{}).Error; err != nil {
		return fmt.Errorf("chunk: deleting checkpoint %q: %w", name, err)
	}
	return nil
}

// now is the checkpoint's updated_at: UTC, truncated to microseconds, which
// every dialect stores exactly.
func checkpointNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
