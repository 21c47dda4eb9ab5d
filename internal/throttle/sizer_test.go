package throttle

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewSizerRefusesInvalidConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   SizerConfig
		field string
	}{
		{"negative target", SizerConfig{Target: -time.Second}, "SizerConfig.Target"},
		{"negative min", SizerConfig{Min: -1}, "SizerConfig.Min"},
		{"negative max", SizerConfig{Max: -1}, "SizerConfig.Max"},
		{"negative param cap", SizerConfig{ParamCap: -1}, "SizerConfig.ParamCap"},
		{"negative initial", SizerConfig{Initial: -5}, "SizerConfig.Initial"},
		{"negative grow", SizerConfig{Grow: -0.1}, "SizerConfig.Grow"},
		{"shrink of 1", SizerConfig{Shrink: 1}, "SizerConfig.Shrink"},
		{"negative window", SizerConfig{Window: -1}, "SizerConfig.Window"},
		{"min above max", SizerConfig{Min: 500, Max: 100}, "SizerConfig.Min"},
		{"min above default max", SizerConfig{Min: DefaultMaxSize + 1}, "SizerConfig.Min"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSizer(tc.cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("NewSizer(%+v) = %v, %v; want ErrInvalidConfig", tc.cfg, s, err)
			}
			if got := err.Error(); !strings.Contains(got, tc.field) {
				t.Errorf("error %q does not name %s", got, tc.field)
			}
		})
	}
}

func TestSizerZeroConfigUsesDefaults(t *testing.T) {
	s, err := NewSizer(SizerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Size(), DefaultInitialSize; got != want {
		t.Errorf("Size() = %d, want %d", got, want)
	}
	if got, want := s.Target(), DefaultTarget; got != want {
		t.Errorf("Target() = %s, want %s", got, want)
	}
}

func TestSizerSteps(t *testing.T) {
	type step struct {
		rows int
		took time.Duration
		want int
	}
	for _, tc := range []struct {
		name  string
		cfg   SizerConfig
		steps []step
	}{
		{"fast chunks grow by at most Grow", SizerConfig{Target: time.Second, Initial: 100, Grow: 0.2},
			[]step{{100, 10 * time.Millisecond, 120}, {120, 12 * time.Millisecond, 144}}},
		{"slow chunk shrinks by at most Shrink", SizerConfig{Target: time.Second, Initial: 1000, Shrink: 0.5, Window: 1},
			[]step{{1000, 100 * time.Second, 500}, {500, 50 * time.Second, 250}}},
		{"on target stays", SizerConfig{Target: time.Second, Initial: 1000},
			[]step{{1000, time.Second, 1000}, {1000, time.Second, 1000}}},
		{"one slow chunk in three is ignored", SizerConfig{Target: time.Second, Initial: 1000, Window: 3},
			// 1 ms/row twice, then 30 ms/row once: the median stays 1 ms/row.
			[]step{{1000, time.Second, 1000}, {1000, time.Second, 1000}, {1000, 30 * time.Second, 1000}}},
		{"two slow chunks of two halve by the mean", SizerConfig{Target: time.Second, Initial: 1000, Window: 2, Shrink: 0.9},
			// 1 ms/row then 3 ms/row: the median of two is their mean, 2 ms/row.
			[]step{{1000, time.Second, 1000}, {1000, 3 * time.Second, 500}}},
		{"window slides", SizerConfig{Target: time.Second, Initial: 1000, Window: 2, Shrink: 0.9},
			[]step{{1000, 4 * time.Second, 250}, {250, time.Second, 250}, {250, time.Second, 250}}},
		{"empty chunk changes nothing", SizerConfig{Target: time.Second, Initial: 1000},
			[]step{{0, time.Second, 1000}, {1000, 0, 1000}}},
		{"short last chunk counts per row", SizerConfig{Target: time.Second, Initial: 1000, Window: 1, Shrink: 0.9},
			[]step{{10, 20 * time.Millisecond, 500}}},
		{"max bounds growth", SizerConfig{Target: time.Second, Initial: 100, Max: 110},
			[]step{{100, time.Millisecond, 110}, {110, time.Millisecond, 110}}},
		{"param cap bounds growth", SizerConfig{Target: time.Second, Initial: 100, ParamCap: 105},
			[]step{{100, time.Millisecond, 105}}},
		{"param cap below min wins", SizerConfig{Target: time.Second, Initial: 100, Min: 50, ParamCap: 20},
			[]step{{20, time.Hour, 20}}},
		{"min bounds shrink", SizerConfig{Target: time.Second, Initial: 100, Min: 80, Window: 1},
			[]step{{100, time.Hour, 80}}},
		{"size 1 still grows", SizerConfig{Target: time.Second, Initial: 1},
			[]step{{1, time.Millisecond, 2}, {2, 2 * time.Millisecond, 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSizer(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tc.steps {
				if got := s.Observe(st.rows, st.took); got != st.want {
					t.Fatalf("step %d: Observe(%d, %s) = %d, want %d", i, st.rows, st.took, got, st.want)
				}
				if got := s.Size(); got != st.want {
					t.Fatalf("step %d: Size() = %d, want %d", i, got, st.want)
				}
			}
		})
	}
}

// TestSizerConvergesUnderNoise simulates chunks whose time is a fixed
// overhead plus a noisy, seeded cost per row, with one chunk in ten stuck on
// a lock for three times the target, and requires the sizes chosen once
// settled to take the target within ±30%: their median, and at least 80% of
// them.
func TestSizerConvergesUnderNoise(t *testing.T) {
	for _, tc := range []struct {
		name     string
		overhead time.Duration
		perRow   time.Duration
		noise    float64 // per-chunk multiplicative noise, ±
		initial  int
	}{
		{"small start, cheap rows", 5 * time.Millisecond, 20 * time.Microsecond, 0.3, 10},
		{"large start, costly rows", 20 * time.Millisecond, 2 * time.Millisecond, 0.3, 20000},
		{"heavy noise", 5 * time.Millisecond, 200 * time.Microsecond, 0.5, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 50; seed++ {
				rng := rand.New(rand.NewPCG(seed, 42))
				s, err := NewSizer(SizerConfig{Initial: tc.initial})
				if err != nil {
					t.Fatal(err)
				}
				var settled []time.Duration
				for i := range 120 {
					n := s.Size()
					if i >= 60 {
						// What the controller chose, without the noise it cannot know.
						settled = append(settled, tc.overhead+time.Duration(float64(n)*float64(tc.perRow)))
					}
					took := tc.overhead + time.Duration(float64(n)*float64(tc.perRow)*(1+tc.noise*(2*rng.Float64()-1)))
					if rng.IntN(10) == 0 {
						took += 3 * DefaultTarget
					}
					s.Observe(n, took)
				}
				lo, hi := DefaultTarget*7/10, DefaultTarget*13/10
				in := 0
				for _, d := range settled {
					if d >= lo && d <= hi {
						in++
					}
				}
				slices.Sort(settled)
				if med := settled[len(settled)/2]; med < lo || med > hi {
					t.Errorf("seed %d: median settled chunk time %s outside [%s, %s]", seed, med, lo, hi)
				}
				if in*10 < len(settled)*7 {
					t.Errorf("seed %d: %d of %d settled chunk times within [%s, %s], want 70%% (from %s to %s)", seed, in, len(settled), lo, hi, settled[0], settled[len(settled)-1])
				}
			}
		})
	}
}
