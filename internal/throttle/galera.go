package throttle

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dialect"
)

// Defaults of GaleraFlowControl's zero fields.
const (
	// DefaultMaxFlowPaused is the fraction of time since the previous check
	// a Galera node may have spent paused by flow control.
	DefaultMaxFlowPaused = 0.1
	// DefaultMaxRecvQueue is the longest receive queue allowed, Galera's
	// default gcs.fc_limit.
	DefaultMaxRecvQueue = 16
)

// GaleraFlowControl holds a run while the MariaDB Galera node DB, or the
// cluster through it, is under flow control or cannot keep up. It reads the
// node's wsrep status and holds while the node is not ready or not Synced
// (a donor or desynced node), while flow control is active
// (wsrep_flow_control_active), while the node spent more than MaxPaused of the
// time since the previous Check paused by flow control (from
// wsrep_flow_control_paused_ns; wsrep_flow_control_paused itself averages
// since the last FLUSH STATUS), and while its receive queue
// (wsrep_local_recv_queue) is longer than MaxRecvQueue. A server without
// wsrep fails with ErrWrongDialect.
//
// It remembers the previous reading, so use a pointer; it is safe for
// concurrent use.
type GaleraFlowControl struct {
	// DB reaches one node of the cluster.
	DB *gorm.DB
	// MaxPaused is the fraction, in [0, 1], of the time between two checks
	// the node may have been paused. Zero means DefaultMaxFlowPaused.
	MaxPaused float64
	// MaxRecvQueue is the longest receive queue allowed. Zero means
	// DefaultMaxRecvQueue; negative is refused.
	MaxRecvQueue int64

	mu       sync.Mutex
	pausedNs int64
	at       time.Time
}

func (c *GaleraFlowControl) String() string { return "GaleraFlowControl" }

const galeraStatusQuery = "SHOW GLOBAL STATUS WHERE Variable_name IN " +
	"('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_flow_control_active', 'wsrep_flow_control_paused_ns', 'wsrep_local_recv_queue')"

// galeraStatus is one reading of a node's wsrep status.
type galeraStatus struct {
	ready, state, active string
	pausedNs, recvQueue  int64
	// pausedFraction is the share of the time since the previous reading
	// the node spent paused; negative when there is no previous reading.
	pausedFraction float64
}

// Check reads the node's wsrep status.
func (c *GaleraFlowControl) Check(ctx context.Context) (Hold, error) {
	maxPaused, maxQueue := c.MaxPaused, c.MaxRecvQueue
	switch {
	case maxPaused < 0 || maxPaused > 1 || maxPaused != maxPaused:
		return Hold{}, invalid("GaleraFlowControl.MaxPaused", "is %v; zero means %v, it must be in [0, 1]", maxPaused, DefaultMaxFlowPaused)
	case maxQueue < 0:
		return Hold{}, invalid("GaleraFlowControl.MaxRecvQueue", "is %d; zero means %d, negative is not allowed", maxQueue, DefaultMaxRecvQueue)
	}
	if maxPaused == 0 {
		maxPaused = DefaultMaxFlowPaused
	}
	if maxQueue == 0 {
		maxQueue = DefaultMaxRecvQueue
	}
	db, err := session(ctx, c.DB, false, "GaleraFlowControl", dialect.MariaDB, dialect.MySQL)
	if err != nil {
		return Hold{}, err
	}
	rows, err := statusRows(db, galeraStatusQuery)
	if err != nil {
		return Hold{}, fmt.Errorf("throttle: reading wsrep status: %w", err)
	}
	vars := map[string]string{}
	for _, r := range rows {
		vars[r["Variable_name"].String] = r["Value"].String
	}
	st := galeraStatus{ready: vars["wsrep_ready"], state: vars["wsrep_local_state_comment"], active: vars["wsrep_flow_control_active"], pausedFraction: -1}
	if _, ok := vars["wsrep_local_state_comment"]; !ok {
		return Hold{}, fmt.Errorf("%w: GaleraFlowControl reads a server without wsrep (wsrep_ready %q): not a Galera node", ErrWrongDialect, st.ready)
	}
	if st.recvQueue, err = strconv.ParseInt(vars["wsrep_local_recv_queue"], 10, 64); err != nil {
		return Hold{}, fmt.Errorf("throttle: wsrep_local_recv_queue %q: %w", vars["wsrep_local_recv_queue"], err)
	}
	if v, ok := vars["wsrep_flow_control_paused_ns"]; ok {
		if st.pausedNs, err = strconv.ParseInt(v, 10, 64); err != nil {
			return Hold{}, fmt.Errorf("throttle: wsrep_flow_control_paused_ns %q: %w", v, err)
		}
		now := time.Now()
		c.mu.Lock()
		if !c.at.IsZero() && now.After(c.at) && st.pausedNs >= c.pausedNs {
			st.pausedFraction = float64(st.pausedNs-c.pausedNs) / float64(now.Sub(c.at).Nanoseconds())
		}
		c.pausedNs, c.at = st.pausedNs, now
		c.mu.Unlock()
	}
	return galeraHold(st, maxPaused, maxQueue), nil
}

func galeraHold(st galeraStatus, maxPaused float64, maxQueue int64) Hold {
	var why []string
	if st.ready != "ON" {
		why = append(why, fmt.Sprintf("node is not ready (wsrep_ready %s)", st.ready))
	}
	if st.state != "Synced" {
		why = append(why, fmt.Sprintf("node is %s, not Synced", st.state))
	}
	if st.active == "true" || st.active == "ON" {
		why = append(why, "flow control is active")
	}
	if st.pausedFraction > maxPaused {
		why = append(why, fmt.Sprintf("node was paused by flow control %.0f%% of the time since the last check (limit %.0f%%)", 100*st.pausedFraction, 100*maxPaused))
	}
	if st.recvQueue > maxQueue {
		why = append(why, fmt.Sprintf("receive queue is %d write sets long (limit %d)", st.recvQueue, maxQueue))
	}
	if len(why) > 0 {
		return Hold{Held: true, Reason: strings.Join(why, "; ")}
	}
	return Hold{Reason: fmt.Sprintf("node Synced, receive queue %d", st.recvQueue)}
}
