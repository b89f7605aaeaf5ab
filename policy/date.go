package policy

import (
	"errors"
	"fmt"
	"time"
)

// A Date is a calendar date with no time of day or zone, such as the day a
// consent form was signed. The zero Date means "no date". It encodes as
// "YYYY-MM-DD" in JSON and text (the zero Date as ""), so struct fields of this
// type should be tagged omitzero where absence is meaningful.
//
// Dates are comparable with ==.
type Date struct {
	year  int
	month time.Month
	day   int
}

// ErrInvalidDate is wrapped by every error ParseDate returns.
var ErrInvalidDate = errors.New("invalid date")

// ParseDate parses an ISO 8601 calendar date, YYYY-MM-DD, with a four-digit
// year from 0001 to 9999. The error names what is wrong but not the input.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w: ISO 8601 YYYY-MM-DD expected", ErrInvalidDate)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("%w: ISO 8601 YYYY-MM-DD expected", ErrInvalidDate)
	}
	if y < 1 {
		return Date{}, fmt.Errorf("%w: year 0000 out of range (ISO 8601 YYYY-MM-DD expected)", ErrInvalidDate)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("%w: month %02d out of range (ISO 8601 YYYY-MM-DD expected)", ErrInvalidDate, m)
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("%w: day %02d out of range for %04d-%02d (ISO 8601 YYYY-MM-DD expected)", ErrInvalidDate, d, y, m)
	}
	return Date{year: y, month: time.Month(m), day: d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Today returns the calendar date of now in now's own location.
func Today(now time.Time) Date {
	y, m, d := now.Date()
	return Date{year: y, month: m, day: d}
}

// RetentionDay is the day retention counts as today at the instant now: the
// earlier of now's day in UTC and in now's own location (where the command
// runs), so nothing is destroyed before its due day has begun in both.
func RetentionDay(now time.Time) Date {
	u, l := Today(now.UTC()), Today(now)
	if l.Before(u) {
		return l
	}
	return u
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// Compare returns -1, 0 or +1 as d is before, equal to or after e. The zero
// Date sorts before every other date.
func (d Date) Compare(e Date) int {
	switch {
	case d.year != e.year:
		return cmpInt(d.year, e.year)
	case d.month != e.month:
		return cmpInt(int(d.month), int(e.month))
	default:
		return cmpInt(d.day, e.day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
}

// MarshalText implements encoding.TextMarshaler (and so JSON encoding).
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; "" decodes to the zero
// Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
