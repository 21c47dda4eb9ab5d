// Package catalog reads what the database's system catalog says about a
// table: its indexes, key part by key part (Indexes), whether one leads with
// some columns (Leading), and its row count as the statistics estimate it
// (EstimateRows). Each query is written once per catalog the dialect names
// (dialect.Catalog), and every read goes to the primary under dbresolver.
//
//	name, err := catalog.Leading(ctx, db, d, "accounts", []string{"id"}, []string{"status", "created_at"})
//	if err != nil {
//		return err
//	}
//	indexed := name != "" // catalog.PrimaryKey, or the index's name
//
// index compares declared indexes with Indexes; chunk asks Leading whether
// a keyset ordering is indexed and EstimateRows for Plan.
package catalog
