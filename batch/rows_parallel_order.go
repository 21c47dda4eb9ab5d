package batch

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// keyOrder returns the permutation that orders rows by key (keyVals holds
// nk values per row; order[j] is the input position of the j-th row in key
// order), or nil when they are in key order already. Keys compare by their normalised values
// (normValue): numbers numerically, text and bytes by bytes, times in UTC,
// composite keys column by column.
func keyOrder(keyVals []any, nk int) []int {
	n := len(keyVals) / nk
	if nk == 1 {
		ints := make([]int64, n)
		allInt := true
		for i := range n {
			k, ok := normValue(keyVals[i]).(int64)
			if !ok {
				allInt = false
				break
			}
			ints[i] = k
		}
		if allInt {
			if slices.IsSorted(ints) {
				return nil
			}
			order := identity(n)
			slices.SortFunc(order, func(a, b int) int { return cmp.Compare(ints[a], ints[b]) })
			return order
		}
	}
	norm := make([]any, len(keyVals))
	for i, v := range keyVals {
		norm[i] = normValue(v)
	}
	less := func(a, b int) int {
		for j := range nk {
			if c := compareNorm(norm[a*nk+j], norm[b*nk+j]); c != 0 {
				return c
			}
		}
		return 0
	}
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = less(i-1, i) <= 0
	}
	if sorted {
		return nil
	}
	order := identity(n)
	slices.SortStableFunc(order, less)
	return order
}

func identity(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// compareNorm orders two normalised key values: NULL first, numbers by
// value, strings by bytes, false before true; values of other or mixed
// types by their type and printed form, which is consistent if arbitrary.
func compareNorm(a, b any) int {
	switch x := a.(type) {
	case nil:
		if b == nil {
			return 0
		}
		return -1
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp.Compare(x, y)
		case uint64: // normValue keeps only values above MaxInt64 unsigned
			return -1
		case float64:
			return cmp.Compare(float64(x), y)
		}
	case uint64:
		switch y := b.(type) {
		case uint64:
			return cmp.Compare(x, y)
		case int64:
			return 1
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmp.Compare(x, y)
		case int64:
			return cmp.Compare(x, float64(y))
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	if b == nil {
		return 1
	}
	return strings.Compare(fmt.Sprintf("%T:%v", a, a), fmt.Sprintf("%T:%v", b, b))
}

// permute returns in with its rows in order (order[j] is the position in
// in of row j); the rows themselves stay in the caller's slice.
func (in *input) permute(order []int) *input {
	out := &input{ctx: in.ctx, all: in.all, n: in.n, order: order}
	if in.order != nil {
		out.order = make([]int, len(order))
		for j, i := range order {
			out.order[j] = in.order[i]
		}
	}
	return out
}
