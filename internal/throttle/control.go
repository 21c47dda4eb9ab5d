package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gormup/gormup/internal/dialect"
)

// ControlTable is the table Pause and Resume write and Paused reads, in the
// database's default schema: one row per run name, created on demand. Run
// names are compared byte for byte on every database, whatever its
// collation.
const ControlTable = "gormup_run_control"

// MaxRunName is the longest run name, in bytes, Pause accepts.
const MaxRunName = 191

// runControl is a row of ControlTable. Its key is the SHA-256 of the name,
// in lowercase hex, so that names are told apart byte for byte on every
// database: a case-insensitive MariaDB collation would make "Nightly" and
// "nightly" one run, and a PAD SPACE one "a" and "a ".
type runControl struct {
	RunKey    string `gorm:"primaryKey;size:64"`
	Name      string `gorm:"size:191;not null"`
	Paused    bool   `gorm:"not null"`
	UpdatedAt time.Time
}

func runKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

func (runControl) TableName() string { return ControlTable }

// Pause marks the run name paused (a name is valid UTF-8 of 1 to MaxRunName
// bytes without NUL; others fail with ErrInvalidConfig), creating
// ControlTable if needed; a PauseFlag for name then holds its run between
// chunks until Resume. It writes on the primary under dbresolver. Call it
// outside a transaction: creating the table would commit a MySQL one.
// Pausing a paused run is a no-op; ctx bounds the statements.
func Pause(ctx context.Context, db *gorm.DB, name string) error {
	return setPaused(ctx, db, name, true)
}

// Resume clears the pause flag of the run name; a held run goes on at its
// waiter's next poll. Resuming a run that was never paused is a no-op.
func Resume(ctx context.Context, db *gorm.DB, name string) error {
	return setPaused(ctx, db, name, false)
}

func setPaused(ctx context.Context, db *gorm.DB, name string, paused bool) error {
	if err := checkName(name); err != nil {
		return err
	}
	tx := dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx}))
	if err := ensureControlTable(tx); err != nil {
		return err
	}
	row := runControl{RunKey: runKey(name), Name: name, Paused: paused, UpdatedAt: time.Now().UTC()}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "run_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"paused", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("throttle: setting the pause flag of run %q: %w", name, err)
	}
	return nil
}

// Paused reports whether the run name is paused. A missing ControlTable or
// row means not paused. It reads on the primary under dbresolver: a
// replica may not have seen the latest Pause or Resume yet.
func Paused(ctx context.Context, db *gorm.DB, name string) (bool, error) {
	if err := checkName(name); err != nil {
		return false, err
	}
	tx := dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx}))
	// Ask the catalog first: a failed SELECT would abort a caller's
	// PostgreSQL transaction.
	if !tx.Migrator().HasTable(ControlTable) {
		return false, nil
	}
	var rows []runControl
	if err := tx.Where(map[string]any{"run_key": runKey(name)}).Limit(1).Find(&rows).Error; err != nil {
		return false, fmt.Errorf("throttle: reading the pause flag of run %q: %w", name, err)
	}
	return len(rows) == 1 && rows[0].Name == name && rows[0].Paused, nil
}

// ensureControlTable creates ControlTable unless it exists; a concurrent
// creator winning the race is not an error.
func ensureControlTable(tx *gorm.DB) error {
	m := tx.Migrator()
	if m.HasTable(ControlTable) {
		return nil
	}
	err := m.CreateTable(&runControl{})
	if err != nil && !m.HasTable(ControlTable) {
		return fmt.Errorf("throttle: creating %s: %w", ControlTable, err)
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return invalid("run name", "is empty")
	case len(name) > MaxRunName:
		return invalid("run name", "is %d bytes, the limit is %d", len(name), MaxRunName)
	case !utf8.ValidString(name):
		return invalid("run name", "%q is not valid UTF-8", name)
	case strings.ContainsRune(name, 0):
		return invalid("run name", "%q contains a NUL byte", name)
	}
	return nil
}

// PauseFlag holds a run while Pause has paused its Name, so another process
// can pause and resume it between chunks. It is safe for concurrent use.
type PauseFlag struct {
	// DB reaches the database Pause writes to.
	DB *gorm.DB
	// Name is the run's name, as given to Pause.
	Name string
}

func (c PauseFlag) String() string { return "PauseFlag(" + c.Name + ")" }

// Check reads the pause flag.
func (c PauseFlag) Check(ctx context.Context) (Hold, error) {
	if c.DB == nil {
		return Hold{}, invalid("PauseFlag.DB", "is nil")
	}
	paused, err := Paused(ctx, c.DB, c.Name)
	if err != nil || !paused {
		return Hold{}, err
	}
	return Hold{Held: true, Reason: fmt.Sprintf("run %q is paused; throttle.Resume releases it", c.Name)}, nil
}
