package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
)

// projectionContact is what a mailing needs from Account: three of its nine
// columns, one under another name.
type projectionContact struct {
	ID    int64
	Email string
	Owner string `gorm:"column:name"`
}

// projectionStatusCount is computed by the database.
type projectionStatusCount struct {
	Status   string
	Accounts int64 `projection:"expr:COUNT(*)"`
}

// stepProjection reads accounts into small DTOs: Find, Each, a computed
// field and Pluck. It only reads.
func stepProjection(ctx context.Context, db *gorm.DB, out io.Writer) error {
	accounts := db.Model(&Account{}).Session(&gorm.Session{})
	cols, err := projection.Columns[projectionContact](accounts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   SELECT list:         %s\n", strings.Join(cols, ", "))

	active, err := projection.Find[projectionContact](ctx, accounts.Where("status = ?", "active").Order("id").Limit(2))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   Find (2 active):     %+v\n", active)

	streamed := 0
	for _, err := range projection.Each[projectionContact](ctx, accounts) {
		if err != nil {
			return err
		}
		streamed++
	}
	fmt.Fprintf(out, "   Each:                %d accounts streamed, one row in memory at a time\n", streamed)

	counts, err := projection.Find[projectionStatusCount](ctx, accounts.Group("status").Order("status"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   computed COUNT(*):   %+v\n", counts)

	emails, err := projection.Pluck[string](ctx, accounts.Where("status = ?", "closed").Order("id").Limit(3), "email")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   Pluck[string]:       %v\n", emails)
	return nil
}
