package throttle

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// FuzzSizer feeds a Sizer arbitrary configurations and chunk observations
// and checks its invariants (pure logic: there is no database to consult):
// the size stays within [min(Min, cap), cap], and from one chunk to the next
// it grows by at most Grow (or one row) and shrinks by at most Shrink.
func FuzzSizer(f *testing.F) {
	f.Add(int64(500_000_000), 1, 50_000, 0, 1000, 0.2, 0.3, 5, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(int64(1), 1, 1, 1, 1, 1.0, 0.99, 1, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add(int64(0), 0, 0, 0, 0, 0.0, 0.0, 0, []byte{})
	f.Add(int64(time.Hour), 10, 20, 5, 100, 5.0, 0.9, 100, []byte{0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, target int64, lo, hi, capN, initial int, grow, shrink float64, window int, obs []byte) {
		cfg := SizerConfig{Target: time.Duration(target), Min: lo, Max: hi, ParamCap: capN, Initial: initial, Grow: grow, Shrink: shrink, Window: window}
		s, err := NewSizer(cfg)
		if err != nil {
			return // refusals are tested by TestNewSizerRefusesInvalidConfig
		}
		g := s.cfg
		upper := g.Max
		if g.ParamCap > 0 && g.ParamCap < upper {
			upper = g.ParamCap
		}
		lower := min(g.Min, upper)
		cur := s.Size()
		if cur < lower || cur > upper {
			t.Fatalf("initial size %d outside [%d, %d] (%+v)", cur, lower, upper, g)
		}
		for len(obs) >= 8 {
			rows := int(binary.LittleEndian.Uint32(obs[:4])) % (4 * max(cur, 1))
			took := time.Duration(binary.LittleEndian.Uint32(obs[4:8])) * time.Microsecond
			obs = obs[8:]
			next := s.Observe(rows, took)
			if next < lower || next > upper {
				t.Fatalf("size %d outside [%d, %d] after Observe(%d, %s) (%+v)", next, lower, upper, rows, took, g)
			}
			if up := math.Max(float64(cur)*(1+g.Grow)+0.5, float64(cur+1)); float64(next) > up && next > lower {
				t.Fatalf("size grew from %d to %d, more than %v (%+v)", cur, next, g.Grow, g)
			}
			if down := float64(cur)*(1-g.Shrink) - 0.5; float64(next) < down && next < upper && next > lower {
				t.Fatalf("size shrank from %d to %d, more than %v (%+v)", cur, next, g.Shrink, g)
			}
			cur = next
		}
	})
}
