package vault

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/fieldvault/fieldvault/redact"
)

// TestInitLocale: a new study draws pseudonyms from the en-GB lists unless
// told otherwise; an unknown locale is refused before anything is made.
func TestInitLocale(t *testing.T) {
	s := newStudy(t)
	cat, err := s.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Pseudonyms.Locale(); got != redact.LocaleGB {
		t.Errorf("default locale = %q, want %q", got, redact.LocaleGB)
	}
	dir := filepath.Join(t.TempDir(), "study")
	res, err := Init(context.Background(), dir, InitOptions{Options: Options{Providers: testProviders, IdentityFile: filepath.Join(t.TempDir(), "id.txt"), Now: fixedNow}, Locale: redact.LocaleEN})
	if err != nil {
		t.Fatal(err)
	}
	if cat, err = res.Study.Catalog(); err != nil || cat.Pseudonyms.Locale() != redact.LocaleEN {
		t.Errorf("init --locale en: %v, %q", err, cat.Pseudonyms.Locale())
	}
	dir = filepath.Join(t.TempDir(), "study")
	if _, err := Init(context.Background(), dir, InitOptions{Options: Options{Providers: testProviders, IdentityFile: filepath.Join(t.TempDir(), "id.txt"), Now: fixedNow}, Locale: "fr-FR"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown locale: err = %v, want ErrInvalid", err)
	}
	if _, err := ReadConfig(dir); err == nil {
		t.Error("a vault was made for an unknown locale")
	}
}

// TestRegistrationRefusals: one-letter aliases and colliding pseudonyms
// are refused and leave the vault byte for byte as it was.
func TestRegistrationRefusals(t *testing.T) {
	s := newStudy(t)
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Bramwell Ashdown", Aliases: []string{"Bram"}, Pseudonym: "Walter Penrose"}}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	for name, try := range map[string]func() error{
		"one-letter alias": func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Imelda Farquharson", Aliases: []string{"I"}}})
		},
		"one-letter entity alias": func() error {
			_, err := s.AddEntities(ctx, []EntityRequest{{Kind: redact.KindPlace, Name: "Brindlemoor", Aliases: []string{"B"}}})
			return err
		},
		"shared pseudonym": func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Imelda Farquharson", Pseudonym: "walter penrose"}})
		},
		"pseudonym is a name": func() error {
			_, err := s.AddEntities(ctx, []EntityRequest{{Kind: redact.KindPerson, Name: "Cora Lindqvist", Pseudonym: "Bramwell Ashdown"}})
			return err
		},
		"pseudonym is an alias": func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Imelda Farquharson", Pseudonym: "Bram Hale"}})
		},
		"name is a pseudonym": func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Walter Penrose"}})
		},
		"own name": func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Imelda Farquharson", Pseudonym: "Imelda Farquharson"}})
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := try(); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			sameSnapshot(t, before, snapshot(t, s.Dir))
		})
	}
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Cora Lindqvist", Pseudonym: "Nia Cole"}}); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, s.Dir)
	err := s.EditParticipant(ctx, "P2", func(p *Participant) error { p.Pseudonym = "Walter Penrose"; return nil })
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("edit to a taken pseudonym: err = %v, want ErrInvalid", err)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
}
