package dialect

// ReplicaStatusQuery returns the statement that reports a MySQL or MariaDB
// replica's replication threads and lag: SHOW REPLICA STATUS on MariaDB 10.5
// and MySQL 8.0.22 or later (an unknown version counts as recent), SHOW
// SLAVE STATUS before; "" on other families.
func (d *Dialect) ReplicaStatusQuery() string {
	switch d.family {
	case MariaDB:
		if d.version.AtLeast(10, 5) {
			return "SHOW REPLICA STATUS"
		}
		return "SHOW SLAVE STATUS"
	case MySQL:
		v := d.version
		if v == (Version{}) || v.AtLeast(8, 1) || (v.Major == 8 && v.Minor == 0 && v.Patch >= 22) {
			return "SHOW REPLICA STATUS"
		}
		return "SHOW SLAVE STATUS"
	}
	return ""
}
