package policy

import (
	"slices"
	"testing"
)

func TestHandleLess(t *testing.T) {
	got := []string{"P10", "D2", "P2", "P1", "E3", "P01", "D12", "M1", "P", "P99999999999999", "R2x", "R2"}
	slices.SortFunc(got, func(a, b string) int {
		switch {
		case HandleLess(a, b):
			return -1
		case HandleLess(b, a):
			return 1
		}
		return 0
	})
	want := []string{"D2", "D12", "E3", "M1", "P", "P01", "P1", "P2", "P10", "P99999999999999", "R2", "R2x"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}
