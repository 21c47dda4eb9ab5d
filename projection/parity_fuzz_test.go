package projection_test

import (
	"context"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
)

// FuzzSerializerParity writes a row with arbitrary serialized values through
// GORM, then reads it back twice — GORM's Select + Find and projection.Find —
// on SQLite through both drivers: the database's stored bytes are the oracle
// and the two reads must agree exactly. The seed corpus runs in the normal
// suite.
func FuzzSerializerParity(f *testing.F) {
	f.Add("a", "b ", "Ann", int64(3), "k", "v", true)
	f.Add("", "", "", int64(0), "", "", false)
	f.Add("ünï\"code\\", "\x00\t\n", "'; DROP TABLE docs; --", int64(-1<<63), "null", "{}", true)
	f.Add("  trailing  ", "[1,2]", "<&>", int64(1<<53+1), "\u2028", "\U0001F600", false)
	dbs := map[string]*dbtest.DB{}
	for _, target := range []string{dbtest.SQLite, dbtest.SQLitePureGo} {
		db := dbtest.Open(f, target)
		dbtest.Migrate(f, db, &doc{})
		dbs[target] = db
	}
	var id int64
	f.Fuzz(func(t *testing.T, tag1, tag2, author string, pages int64, key, value string, withExtra bool) {
		// encoding/json replaces invalid UTF-8 with U+FFFD: GORM does not
		// round-trip such a value either, so only the two reads are compared.
		valid := true
		for _, s := range []string{tag1, tag2, author, key, value} {
			valid = valid && utf8.ValidString(s)
		}
		id++
		in := doc{ID: id, Title: "fuzz", Tags: []string{tag1, tag2}, Meta: docMeta{author, int(pages)}, Blob: map[string]string{key: value}}
		if withExtra {
			in.Extra = &docMeta{value, -int(pages)}
		}
		for target, db := range dbs {
			if err := db.Create(&in).Error; err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			var want []docDTO
			if err := db.Model(&doc{}).Select("id", "tags", "meta", "extra", "blob").Where("id = ?", id).Find(&want).Error; err != nil {
				t.Fatalf("%s: GORM: %v", target, err)
			}
			got, err := projection.Find[docDTO](context.Background(), db.Model(&doc{}).Where("id = ?", id))
			if err != nil {
				t.Fatalf("%s: projection: %v", target, err)
			}
			if !reflect.DeepEqual(got, want) || len(got) != 1 {
				t.Fatalf("%s:\n projection %+v\n GORM       %+v", target, got, want)
			}
			if valid && !reflect.DeepEqual(got[0].Tags, in.Tags) || valid && (got[0].Meta != in.Meta || got[0].Blob[key] != value) {
				t.Fatalf("%s: read %+v, wrote %+v", target, got[0], in)
			}
		}
	})
}
