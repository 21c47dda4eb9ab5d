package dialect

// Memo returns the value stored on d under key, calling build and storing its
// result the first time (an error is returned and nothing stored). It lets a
// package cache what it derives per opened database — a plan per schema —
// for as long as d lives, without package-level state of its own. key must
// be comparable and should be a type of the calling package, so packages
// cannot collide. Concurrent first calls may each run build; one result wins
// and is returned to all. Values must be safe for concurrent use (read-only
// once built).
func (d *Dialect) Memo(key any, build func() (any, error)) (any, error) {
	if v, ok := d.memo.Load(key); ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	v, _ = d.memo.LoadOrStore(key, v)
	return v, nil
}
