package vault

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseParticipantsCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []ParticipantRequest
		wantErr string // substring; "" = no error
	}{
		{
			name: "all columns",
			in:   "handle,name,aliases,org,role,pseudonym\nP01,Bramwell Ashdown,Bram; Mr Ashdown ,Larder,trustee,Walter Penrose\n",
			want: []ParticipantRequest{{Handle: "P01", Name: "Bramwell Ashdown", Aliases: []string{"Bram", "Mr Ashdown"}, Org: "Larder", Role: "trustee", Pseudonym: "Walter Penrose"}},
		},
		{
			name: "columns in any order, BOM, CRLF, blank line",
			in:   "\ufeffname,Handle\r\nGenevieve Okafor-Hale,P02\r\n\r\nImelda Farquharson,P03\r\n",
			want: []ParticipantRequest{{Handle: "P02", Name: "Genevieve Okafor-Hale"}, {Handle: "P03", Name: "Imelda Farquharson"}},
		},
		{
			name: "quoted cell with comma and line break",
			in:   "handle,name,role\nP01,\"Ashdown, Bramwell\",\"trustee,\nretired\"\nP02,Gen Hale,coordinator\n",
			want: []ParticipantRequest{{Handle: "P01", Name: "Ashdown, Bramwell", Role: "trustee,\nretired"}, {Handle: "P02", Name: "Gen Hale", Role: "coordinator"}},
		},
		{name: "empty file", in: "", wantErr: "the file is empty"},
		{name: "header only", in: "handle,name\n", wantErr: "no participants"},
		{name: "unknown column", in: "handle,name,email\nP01,A B,a@b\n", wantErr: "line 1, column 3: unknown column name"},
		{name: "column twice", in: "handle,name,name\n", wantErr: "line 1, column 3: column name named twice"},
		{name: "no name column", in: "handle,role\nP01,x\n", wantErr: "line 1: no name column"},
		{name: "bad handle", in: "handle,name\nP01,A B\nBramwell,Bramwell Ashdown\n", wantErr: "line 3: handle is not"},
		{name: "empty handle", in: "handle,name\n,Bramwell Ashdown\n", wantErr: "line 2: empty handle"},
		{name: "no name", in: "handle,name\nP01,\n", wantErr: "line 2: participant P01 has no name"},
		{name: "duplicate", in: "handle,name\nP01,A B\nP01,C D\n", wantErr: "line 3: handle P01 already used on line 2"},
		{name: "line numbers count quoted line breaks", in: "handle,name,role\nP01,A B,\"x\ny\"\nP01,C D,z\n", wantErr: "line 4: handle P01 already used on line 2"},
		{name: "wrong number of fields", in: "handle,name\nP01,A B,extra\n", wantErr: "line 2"},
		{name: "bare quote", in: "handle,name\nP01,Bramwell \"Bram\" Ashdown\n", wantErr: "line 2, column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseParticipantsCSV(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseParticipantsCSV() = %+v, want error containing %q", got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %q, want it to contain %q", err, tt.wantErr)
				}
				if !errors.Is(err, errCSV) {
					t.Errorf("error %q does not match errCSV", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseParticipantsCSV() error = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseParticipantsCSV() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseEntitiesCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []EntityRequest
		wantErr string
	}{
		{
			name: "kinds",
			in:   "kind,name,aliases,pseudonym\nplace,Wexcombe,,Brackelcote\nORG,Wexcombe Community Larder,the Larder,\n",
			want: []EntityRequest{{Kind: "place", Name: "Wexcombe", Pseudonym: "Brackelcote"}, {Kind: "org", Name: "Wexcombe Community Larder", Aliases: []string{"the Larder"}}},
		},
		{name: "bad kind", in: "kind,name\nplanet,Saltmarsh\n", wantErr: "line 2: kind must be one of person, place, org, meeting, other"},
		{name: "no name", in: "kind,name\nplace,\n", wantErr: "line 2: empty name"},
		{name: "no kind column", in: "name\nWexcombe\n", wantErr: "no kind column"},
		{name: "header only", in: "kind,name\n", wantErr: "no entities"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEntitiesCSV(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseEntitiesCSV() error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEntitiesCSV() error = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEntitiesCSV() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestParseParticipantsCSVGolden parses testdata/participants.csv and
// compares the requests with testdata/participants.golden (-update rewrites it).
func TestParseParticipantsCSVGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "participants.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reqs, err := ParseParticipantsCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(reqs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	csvGolden(t, filepath.Join("testdata", "participants.golden"), append(got, '\n'))
}

// updateGolden is -update: rewrite testdata/*.golden instead of comparing.
var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// csvGolden compares got with a golden file, or rewrites it with -update.
func csvGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// secretCell is planted in fuzz inputs: no error may repeat a cell's content.
const secretCell = "Zebedee Quillfeather"

// csvSeeds is the seed corpus of both CSV fuzz targets.
var csvSeeds = []string{
	"handle,name,aliases,org,role,pseudonym\nP01,Bramwell Ashdown,Bram;Mr Ashdown,Larder,trustee,\n",
	"handle,name\n" + secretCell + "," + secretCell + "\n",
	"handle,name\nP01,\"" + secretCell + "\n",
	"kind,name,aliases,pseudonym\nplace,Wexcombe,,\n",
	"kind,name\n" + secretCell + ",x\n",
	"\ufeffname,handle\r\n\"a,b\",P2\r\n",
	"",
	",,,\n,,,\n",
}

func csvFuzzSeeds(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s)
	}
}

func TestCSVFuzzSeedCorpus(t *testing.T) {
	if len(csvSeeds) == 0 {
		t.Fatal("a fuzz target has an empty seed corpus")
	}
}

func FuzzParseParticipantsCSV(f *testing.F) {
	csvFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		reqs, err := ParseParticipantsCSV(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, errCSV) {
				t.Fatalf("error %q is not errCSV", err)
			}
			if strings.Contains(err.Error(), secretCell) {
				t.Fatalf("error repeats a cell's content: %q", err)
			}
			if reqs != nil {
				t.Fatalf("error with %d requests", len(reqs))
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range reqs {
			if !ValidHandle(r.Handle) || r.Name == "" || seen[r.Handle] {
				t.Fatalf("accepted an invalid or duplicate request %+v", r)
			}
			seen[r.Handle] = true
		}
	})
}

func FuzzParseEntitiesCSV(f *testing.F) {
	csvFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		reqs, err := ParseEntitiesCSV(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, errCSV) {
				t.Fatalf("error %q is not errCSV", err)
			}
			if strings.Contains(err.Error(), secretCell) {
				t.Fatalf("error repeats a cell's content: %q", err)
			}
			return
		}
		for _, r := range reqs {
			if !r.Kind.Valid() || r.Name == "" {
				t.Fatalf("accepted an invalid request %+v", r)
			}
		}
	})
}
