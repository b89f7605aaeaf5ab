package redact

import (
	"slices"
	"testing"
)

// TestCoreWords checks the titles dropped before a name: all leading
// titles but the last word, whatever the spacing.
func TestCoreWords(t *testing.T) {
	tests := []struct {
		in     string
		words  []string
		titles int
	}{
		{"", nil, 0},
		{"Smith", []string{"Smith"}, 0},
		{"Dr Smith", []string{"Smith"}, 1},
		{"Dr", []string{"Dr"}, 0},
		{"Dr Mr", []string{"Mr"}, 1},
		{"  Prof.  Dr\tJane  Smith ", []string{"Jane", "Smith"}, 2},
		{"Jane Dr Smith", []string{"Jane", "Dr", "Smith"}, 0},
		{"Mrs\u00a0Jones", []string{"Jones"}, 1},
	}
	for _, tt := range tests {
		if got := coreWords(tt.in); !slices.Equal(got, tt.words) {
			t.Errorf("coreWords(%q) = %q, want %q", tt.in, got, tt.words)
		}
		if got := titleCount(tt.in); got != tt.titles {
			t.Errorf("titleCount(%q) = %d, want %d", tt.in, got, tt.titles)
		}
	}
}
