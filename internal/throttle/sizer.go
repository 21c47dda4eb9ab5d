package throttle

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Defaults of SizerConfig's zero fields.
const (
	// DefaultTarget is the chunk time aimed at, as pt-online-schema-change's
	// --chunk-time.
	DefaultTarget = 500 * time.Millisecond
	// DefaultMinSize is the smallest chunk.
	DefaultMinSize = 1
	// DefaultMaxSize is the largest chunk.
	DefaultMaxSize = 50_000
	// DefaultInitialSize is the first chunk's size.
	DefaultInitialSize = 1000
	// DefaultGrow is the largest growth per chunk: 20%.
	DefaultGrow = 0.2
	// DefaultShrink is the largest shrink per chunk: 30%.
	DefaultShrink = 0.3
	// DefaultWindow is how many recent chunks the time per row is the
	// median of.
	DefaultWindow = 5
)

// SizerConfig configures a Sizer. The zero value is ready to use; each
// field's doc says what zero means, and a negative value is refused with
// ErrInvalidConfig.
type SizerConfig struct {
	// Target is the duration each chunk's transaction should take. Zero means
	// DefaultTarget.
	Target time.Duration
	// Min and Max bound the size. Zero means DefaultMinSize and
	// DefaultMaxSize; Min may not exceed Max.
	Min, Max int
	// ParamCap is a further upper bound, the rows that fit in one statement
	// under the dialect's bind-parameter limit (dialect.ChunkSize). Zero
	// means no cap beyond Max.
	ParamCap int
	// Initial is the first chunk's size, clamped into the bounds. Zero means
	// DefaultInitialSize.
	Initial int
	// Grow is the largest relative growth from one chunk to the next (0.2:
	// at most 20% larger). Zero means DefaultGrow.
	Grow float64
	// Shrink is the largest relative shrink from one chunk to the next (0.3:
	// at least 70% as large); it must be below 1. Zero means DefaultShrink.
	Shrink float64
	// Window is how many recent chunks the time per row is the median of;
	// 1 follows the last chunk alone. Zero means DefaultWindow.
	Window int
}

// Sizer adapts a chunk size so each chunk takes about a target duration. It
// estimates the time per row as the median over the last Window chunks, so
// a chunk stuck on a lock does not move the estimate; after each chunk the
// next size is the target divided by that estimate, limited to Grow and
// Shrink relative to the current size and clamped into
// [Min, min(Max, ParamCap)]. The time per row includes each
// chunk's fixed cost (round trips, commit), so the size settles where whole
// chunks take the target.
//
// A Sizer is safe for concurrent use: workers may share one.
type Sizer struct {
	cfg SizerConfig

	mu     sync.Mutex
	size   int
	recent []float64 // seconds per row of the last Window chunks, oldest first
	sorted []float64 // scratch for the median
}

// NewSizer returns a Sizer for cfg, or an error wrapping ErrInvalidConfig
// naming the field that is out of range.
func NewSizer(cfg SizerConfig) (*Sizer, error) {
	switch {
	case cfg.Target < 0:
		return nil, invalid("SizerConfig.Target", "is %s; zero means %s, negative is not allowed", cfg.Target, DefaultTarget)
	case cfg.Min < 0:
		return nil, invalid("SizerConfig.Min", "is %d; zero means %d, negative is not allowed", cfg.Min, DefaultMinSize)
	case cfg.Max < 0:
		return nil, invalid("SizerConfig.Max", "is %d; zero means %d, negative is not allowed", cfg.Max, DefaultMaxSize)
	case cfg.ParamCap < 0:
		return nil, invalid("SizerConfig.ParamCap", "is %d; zero means no cap, negative is not allowed", cfg.ParamCap)
	case cfg.Initial < 0:
		return nil, invalid("SizerConfig.Initial", "is %d; zero means %d, negative is not allowed", cfg.Initial, DefaultInitialSize)
	case cfg.Grow < 0 || math.IsNaN(cfg.Grow) || math.IsInf(cfg.Grow, 0):
		return nil, invalid("SizerConfig.Grow", "is %v; zero means %v, it must be a positive fraction", cfg.Grow, DefaultGrow)
	case cfg.Shrink < 0 || cfg.Shrink >= 1 || math.IsNaN(cfg.Shrink):
		return nil, invalid("SizerConfig.Shrink", "is %v; zero means %v, it must be in [0, 1)", cfg.Shrink, DefaultShrink)
	case cfg.Window < 0:
		return nil, invalid("SizerConfig.Window", "is %d; zero means %d, negative is not allowed", cfg.Window, DefaultWindow)
	}
	if cfg.Target == 0 {
		cfg.Target = DefaultTarget
	}
	if cfg.Min == 0 {
		cfg.Min = DefaultMinSize
	}
	if cfg.Max == 0 {
		cfg.Max = DefaultMaxSize
	}
	if cfg.Initial == 0 {
		cfg.Initial = DefaultInitialSize
	}
	if cfg.Grow == 0 {
		cfg.Grow = DefaultGrow
	}
	if cfg.Shrink == 0 {
		cfg.Shrink = DefaultShrink
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Min > cfg.Max {
		return nil, invalid("SizerConfig.Min", "(%d) exceeds SizerConfig.Max (%d)", cfg.Min, cfg.Max)
	}
	s := &Sizer{cfg: cfg}
	s.size = s.clamp(float64(cfg.Initial))
	return s, nil
}

// upper is the largest size allowed: Max, or ParamCap when smaller. A
// ParamCap below Min wins over Min: a statement over the parameter limit
// fails.
func (s *Sizer) upper() int {
	if s.cfg.ParamCap > 0 && s.cfg.ParamCap < s.cfg.Max {
		return s.cfg.ParamCap
	}
	return s.cfg.Max
}

func (s *Sizer) clamp(n float64) int {
	hi := s.upper()
	lo := min(s.cfg.Min, hi)
	switch {
	case math.IsNaN(n) || n < float64(lo):
		return lo
	case n > float64(hi):
		return hi
	}
	return int(n)
}

// Size returns the size of the next chunk.
func (s *Sizer) Size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// Target returns the chunk duration aimed at.
func (s *Sizer) Target() time.Duration { return s.cfg.Target }

// Observe records that a chunk of rows rows took took (its whole
// transaction, commit included) and returns the size of the next chunk. A
// chunk of zero rows, or a non-positive duration, carries no information
// and leaves the size unchanged; a short last chunk counts like any other.
func (s *Sizer) Observe(rows int, took time.Duration) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rows <= 0 || took <= 0 {
		return s.size
	}
	if len(s.recent) == s.cfg.Window {
		s.recent = s.recent[:copy(s.recent, s.recent[1:])]
	}
	s.recent = append(s.recent, took.Seconds()/float64(rows))
	s.sorted = append(s.sorted[:0], s.recent...)
	slices.Sort(s.sorted)
	perRow := s.sorted[len(s.sorted)/2]
	if len(s.sorted)%2 == 0 {
		perRow = (perRow + s.sorted[len(s.sorted)/2-1]) / 2
	}
	ideal := s.cfg.Target.Seconds() / perRow
	cur := float64(s.size)
	ideal = math.Min(ideal, cur*(1+s.cfg.Grow))
	ideal = math.Max(ideal, cur*(1-s.cfg.Shrink))
	// Round half up so a size of 1 can still grow by a fraction.
	growthLimited := ideal >= cur*(1+s.cfg.Grow)
	next := s.clamp(math.Floor(ideal + 0.5))
	if next == s.size && growthLimited && next < s.upper() {
		next++ // a size too small for a fraction of a row still grows
	}
	s.size = next
	return next
}
