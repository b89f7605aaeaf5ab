package redact

import (
	"regexp"
	"strings"
	"testing"
)

// commonStudy registers people, a place and an organisation whose names
// are made of ordinary English words.
func commonStudy(tb testing.TB) *Redactor {
	tb.Helper()
	ents := []Entity{
		{ID: "P1", Kind: KindPerson, Name: "Will Hope", Pseudonym: "Owen Pritchard"},
		{ID: "P2", Kind: KindPerson, Name: "May Green", Pseudonym: "Tessa Lund"},
		{ID: "P3", Kind: KindPerson, Name: "Rose Grace", Pseudonym: "Nadia Fell"},
		{ID: "P4", Kind: KindPerson, Name: "Faith Marsh", Pseudonym: "Ingrid Dove"},
		{ID: "P5", Kind: KindPerson, Name: "Bill Baker", Pseudonym: "Colm Ashby"},
		{ID: "E1", Kind: KindPlace, Name: "Victoria Street", Pseudonym: "Ashenbury"},
		{ID: "E2", Kind: KindOrg, Name: "Hope Street Kitchen", Pseudonym: "Alder Trust"},
	}
	r, err := Compile(ents, NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestCommonWordCorpus: ordinary prose using every common-word part of the
// registered names comes out unchanged except for the names themselves,
// marked {like this|replacement} in the corpus.
func TestCommonWordCorpus(t *testing.T) {
	r := commonStudy(t)
	corpus := `I will hope for the best, and I hope you will too.
Will you come to the meeting? Hope is all we have.
May I ask about the green field by the marsh? We may go in May or on 3 May.
The rose garden had a certain grace; she rose to speak with grace and faith.
Faith in the project was low. Rose petals lay on the street.
He paid the bill to the baker. Bill me later, said the baker.
We walked down the street and along a green lane.
Then {Will Hope|Owen Pritchard} arrived, and {Mr Hope|Mr Pritchard} sat down.
I asked {Will|Owen} and {Hope|Pritchard} about it, and {May|Tessa} said no.
Later {Ms Green|Ms Lund} and {Dr. Grace|Dr. Fell} spoke to {Faith Marsh|Ingrid Dove}.
{WILL HOPE|OWEN PRITCHARD} signed; {Rose|Nadia} and {Bill|Colm} did not.
We met on {Victoria Street|Ashenbury} at the {Hope Street Kitchen|Alder Trust}, near {Victoria|Ashenbury}.
{Hope|Pritchard}: I think so.
`
	marked := regexp.MustCompile(`\{([^|}]*)\|([^}]*)\}`)
	in := marked.ReplaceAllString(corpus, "$1")
	want := marked.ReplaceAllString(corpus, "$2")
	got := r.Redact(in)
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range wl {
			if i < len(gl) && gl[i] != wl[i] {
				t.Errorf("line %d:\n got %q\nwant %q", i+1, gl[i], wl[i])
			}
		}
	}
	if again := r.Redact(got); again != got {
		t.Errorf("not idempotent:\n%s", again)
	}
	// Capitalised parts at a sentence start are reported, not replaced.
	var found []string
	for _, f := range SentenceStartNames(in, r) {
		found = append(found, f.Text)
	}
	if strings.Join(found, ",") != "Will,Hope,May,Faith,Rose,Bill" {
		t.Errorf("SentenceStartNames = %q", found)
	}
}

// TestCommonWordWarnings: registration can say which parts are words.
func TestCommonParts(t *testing.T) {
	for _, tt := range []struct {
		e    Entity
		want string
	}{
		{Entity{Kind: KindPerson, Name: "Will Hope"}, "Will,Hope"},
		{Entity{Kind: KindPerson, Name: "Dr Genevieve Okafor-Hale", Aliases: []string{"Gen"}}, "Hale"},
		{Entity{Kind: KindPerson, Name: "Bramwell Ashdown"}, ""},
		{Entity{Kind: KindPlace, Name: "Victoria Street"}, ""},
	} {
		if got := strings.Join(CommonParts(tt.e), ","); got != tt.want {
			t.Errorf("CommonParts(%s) = %q, want %q", tt.e.Name, got, tt.want)
		}
	}
}
