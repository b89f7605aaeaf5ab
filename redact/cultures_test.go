package redact

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// cultureEntities are invented people, places and organisations whose
// names have the shapes of many naming traditions. Pseudonyms are chosen
// so that the expected output is readable.
var cultureEntities = []Entity{
	{ID: "P01", Kind: KindPerson, Name: "Pieter van der Merwe", Pseudonym: "Tom Ashby"},
	{ID: "P02", Kind: KindPerson, Name: "Ana de la Cruz", Pseudonym: "Ruth Bellingham"},
	{ID: "P03", Kind: KindPerson, Name: "Friedrich von Ahlen", Pseudonym: "Carl Denholm"},
	{ID: "P04", Kind: KindPerson, Name: "Dafydd ap Rhys", Pseudonym: "Owen Garside"},
	{ID: "P05", Kind: KindPerson, Name: "Siobhán Ní Bhriain", Pseudonym: "Orla Kettering"},
	{ID: "P06", Kind: KindPerson, Name: "Callum MacLeod", Pseudonym: "Ewan Tarrant"},
	{ID: "P07", Kind: KindPerson, Name: "Niamh O'Neill", Pseudonym: "Clare Hebden"},
	{ID: "P08", Kind: KindPerson, Name: "Karim al-Masri", Pseudonym: "Sami Haddon"},
	{ID: "P09", Kind: KindPerson, Name: "Samir Al Haddad", Pseudonym: "Nabil Corrie"},
	{ID: "P10", Kind: KindPerson, Name: "Ahmad bin Ismail", Pseudonym: "Faris Lomax"},
	{ID: "P11", Kind: KindPerson, Name: "Omar ibn Khalid", Pseudonym: "Idris Penfold"},
	{ID: "P12", Kind: KindPerson, Name: "João da Silva", Pseudonym: "Rui Fenner"},
	{ID: "P13", Kind: KindPerson, Name: "İlkay Yıldız", Pseudonym: "Deniz Varley"},
	{ID: "P14", Kind: KindPerson, Name: "Işık Demir", Pseudonym: "Emre Colby"},
	{ID: "P15", Kind: KindPerson, Name: "Jürgen Strauß", Pseudonym: "Lars Whitlow"},
	{ID: "P16", Kind: KindPerson, Name: "Łucja Wąsowska", Pseudonym: "Ewa Marden"},
	{ID: "P17", Kind: KindPerson, Name: "Nguyễn Thị Minh Khai", Pseudonym: "Lan Pickering"},
	{ID: "P18", Kind: KindPerson, Name: "Wang Xiuying", Pseudonym: "Mei Hartley"},
	{ID: "P19", Kind: KindPerson, Name: "Kim Min-jun", Pseudonym: "Joon Alder"},
	{ID: "P20", Kind: KindPerson, Name: "Guðrún Jónsdóttir", Pseudonym: "Sigrid Mallory"},
	{ID: "P21", Kind: KindPerson, Name: "Lucía Fernández Ortega", Pseudonym: "Inés Galloway"},
	{ID: "P22", Kind: KindPerson, Name: "Tesfaye Gebremariam", Pseudonym: "Dawit Royle"},
	{ID: "P23", Kind: KindPerson, Name: "Ngozi Okonkwo", Pseudonym: "Ada Pemberton"},
	{ID: "P24", Kind: KindPerson, Name: "Renée Dubois", Pseudonym: "Lena Marlow"},
	{ID: "P25", Kind: KindPerson, Name: "Hope Strong", Pseudonym: "Nell Quarry"},
	{ID: "P26", Kind: KindPerson, Name: "Suharto", Pseudonym: "Budi"},
	{ID: "P27", Kind: KindPerson, Name: "Nagy Zsófia", Pseudonym: "Kata Bramwell"},
	{ID: "P28", Kind: KindPerson, Name: "Aileen McAllister", Pseudonym: "Moira Lansdale"},
	{ID: "P29", Kind: KindPerson, Name: "Søren Ødegård", Pseudonym: "Nils Ambler"},
	{ID: "P30", Kind: KindPerson, Name: "Chidera Adaeze Nwosu", Pseudonym: "Ifeoma Blakey"},
	{ID: "P31", Kind: KindPerson, Name: "Jean-Pierre Lefèvre", Pseudonym: "Luc Armitage"},
	{ID: "P32", Kind: KindPerson, Name: "Mary-Kate O'Brien-Smith", Pseudonym: "Jess Caddick"},
	{ID: "P33", Kind: KindPerson, Name: "Al Whitcombe", Pseudonym: "Ron Tulley"},
	{ID: "P34", Kind: KindPerson, Name: "Kim Yu-na", Pseudonym: "Hana Stroud"},
	{ID: "P35", Kind: KindPerson, Name: "Henry Okoro III", Pseudonym: "Felix Dunmore"},
	{ID: "P36", Kind: KindPerson, Name: "Tamsin St John", Pseudonym: "Edith Marchbank"},
	{ID: "P37", Kind: KindPerson, Name: "Simon St. Clair", Pseudonym: "Hugo Penrice"},
	{ID: "P38", Kind: KindPerson, Name: "Ben Ami", Pseudonym: "Noam Tessler"},
	{ID: "E01", Kind: KindPlace, Name: "St Aldhelm's Church", Pseudonym: "Ivelcombe"},
	{ID: "E02", Kind: KindPlace, Name: "Llanfair Community Hall", Pseudonym: "Wexelford"},
	{ID: "E03", Kind: KindOrg, Name: "the Larder", Pseudonym: "Alder Trust"},
	{ID: "E04", Kind: KindPlace, Name: "Brindlecombe-on-Sea", Pseudonym: "Ashenbury"},
}

// TestNameCultures runs names of many traditions through Redact, one
// group per question: is every registered form replaced, and is the prose
// around it left as written?
func TestNameCultures(t *testing.T) {
	r, err := Compile(cultureEntities, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	groups := []struct {
		rule  string
		cases [][2]string
	}{
		{"particles", [][2]string{
			{"I met Pieter van der Merwe and Mr Van der Merwe's dog.", "I met Tom Ashby and Mr Ashby's dog."},
			{"with Ms De La Cruz and de la Cruz and Cruz", "with Ms Bellingham and Bellingham and Bellingham"},
			{"Herr von Ahlen and Ahlen", "Herr Denholm and Denholm"},
			{"Mr ap Rhys and Rhys", "Mr Garside and Garside"},
			{"Ni Bhriain, NÍ BHRIAIN", "Kettering, KETTERING"},
			{"Al-Masri, al Masri, Almasri, Dr Al‑Masri", "Haddon, Haddon, Haddon, Dr Haddon"},
			{"al-Haddad and Alhaddad", "Corrie and Corrie"},
			{"Ahmad Ismail and Ismail", "Faris Lomax and Lomax"},
			{"Ibn Khalid and Omar", "Penfold and Idris"},
			{"Sr. da Silva, Da Silva, Joao Silva", "Sr. Fenner, Fenner, Rui Fenner"},
		}},
		{"case folding beyond ASCII", [][2]string{
			{"İlkay, ILKAY, ilkay, ılkay, YILDIZ, Yildiz", "Deniz, DENIZ, deniz, deniz, VARLEY, Varley"},
			{"Işık, IŞIK, isik, Isik Demir", "Emre, EMRE, emre, Emre Colby"},
			{"Strauss, STRAUSS, STRAUß", "Whitlow, WHITLOW, WHITLOW"},
			{"Lucja Wasowska's report", "Ewa Marden's report"},
		}},
		{"order of the parts", [][2]string{
			{"Xiuying Wang and Ms Wang", "Hartley Mei and Ms Mei"},
			{"Zsófia Nagy", "Bramwell Kata"},
			{"Gudrun Jonsdottir and Guðrún", "Sigrid Mallory and Sigrid"},
			{"Ato Tesfaye and Gebremariam", "Ato Dawit and Royle"},
			{"Fernández, Ortega, Sra. Fernández", "Galloway, Galloway, Sra. Galloway"},
		}},
		{"possessives and apostrophes", [][2]string{
			{"Renée’s bag, Renée's bag, Renee's bag", "Lena’s bag, Lena's bag, Lena's bag"},
			{"Ngozi' bag, Ngozi’s bag", "Ada' bag, Ada’s bag"},
			{"O’Neill’s and O'Neill's", "Hebden’s and Hebden's"},
			{"Suharto's house", "Budi's house"},
			{"the Okonkwos and the van der Merwes", "the Pembertons and the Ashbys"},
			{"the Strongs, hopes and the Nwosus", "the Strongs, hopes and the Blakeys"},
			{"Okonkwo\u02bcs bag", "Pemberton\u02bcs bag"},
		}},
		{"invisible characters inside a name", [][2]string{
			{"Oko\u00adnkwo, Okon\u200bkwo, Ngo\u2060zi and \ufeffOkonkwo", "Pemberton, Pemberton, Ada and \ufeffPemberton"},
			{"Okonkwo\u00ad\u00adly is one word", "Okonkwo\u00ad\u00adly is one word"},
		}},
		{"other spellings", [][2]string{
			{"McLeod, Mac Leod, Mr Macleod", "Tarrant, Tarrant, Mr Tarrant"},
			{"MacAllister and Mc Allister", "Lansdale and Lansdale"},
			{"ONeill, O Neill, Niamh ONeill", "Hebden, Hebden, Clare Hebden"},
			{"Juergen Strauss, JUERGEN, Jurgen", "Lars Whitlow, LARS, Lars"},
			{"Soeren Oedegaard, Soren Odegard", "Nils Ambler, Nils Ambler"},
			{"Minh Khai, Thị Minh Khai, Ms Khai", "Pickering, Pickering, Ms Pickering"},
			{"Jean Pierre, JeanPierre, Jean‑Pierre, Jean–Pierre", "Luc, Luc, Luc, Luc"},
			{"Mary Kate, OBrien, O Brien, Smith", "Jess, Caddick, Caddick, Caddick"},
		}},
		{"initials and capitals", [][2]string{
			{"N. Okonkwo, N Okonkwo, Dr N. Okonkwo, OKONKWO", "A. Pemberton, A Pemberton, Dr A. Pemberton, PEMBERTON"},
			{"Okonkwo N. and Okonkwo, N. (2019)", "Pemberton A. and Pemberton, A. (2019)"},
			{"C. A. Nwosu, C.A. Nwosu, CA Nwosu, C A Nwosu", "I. Blakey, I. Blakey, I Blakey, I Blakey"},
			{"Chidera A. Nwosu and Chidera Adaeze Nwosu", "Ifeoma Blakey and Ifeoma Blakey"},
			{"J.-P. Lefèvre, J-P Lefevre, JP Lefèvre, J. Lefèvre", "L. Armitage, L Armitage, L Armitage, L. Armitage"},
			{"I met a nwosu", "I met a blakey"},
		}},
		{"ordinary words stay prose", [][2]string{
			{"I will hope so. We spoke to Hope.", "I will hope so. We spoke to Nell."},
			{"Ms Strong said strong things.", "Ms Quarry said strong things."},
			{"I WILL HOPE SO. WE SAW HOPE", "I WILL HOPE SO. WE SAW HOPE"},
			{"Then HOPE said no. HOPE: yes", "Then NELL said no. NELL: yes"},
			{"He waited 10 min in the larder.", "He waited 10 min in the larder."},
			{"Jones et al. said al-Rashidi told Al-Rashidi and Al.", "Jones et al. said al-Rashidi told Al-Rashidi and Ron."},
			{"Yu-na said na, not Yuna.", "Stroud said na, not Stroud."},
			{"Henry Okoro III said (III), and Mr Okoro.", "Felix Dunmore said (III), and Mr Dunmore."},
			{"Ms St John went to St Ives and St. Austell.", "Ms Marchbank went to St Ives and St. Austell."},
			{"Simon St. Clair and St. Clair and St. Ives", "Hugo Penrice and Penrice and St. Ives"},
			{"Ben Ami and Ben-Ami", "Noam Tessler and Noam-Tessler"},
			{"Min and Min-jun came; Minjun left.", "Alder and Alder came; Alder left."},
		}},
		{"places and organisations", [][2]string{
			{"At the Larder and The Larder's van.", "At the Alder Trust and The Alder Trust's van."},
			{"Llanfair Community Hall, the hall at Llanfair.", "Wexelford, the hall at Wexelford."},
			{"St Aldhelm's Church, the Aldhelm choir", "Ivelcombe, the Ivelcombe choir"},
			{"Brindlecombe-on-Sea, Brindlecombe, by the sea", "Ashenbury, Ashenbury, by the sea"},
		}},
	}
	for _, g := range groups {
		t.Run(g.rule, func(t *testing.T) {
			for _, c := range g.cases {
				checkRedacts(t, r, c[0], c[1])
			}
		})
	}
}

// TestNameCulturesStable: through Assign (the vault's path), every form
// of a registered name gets the same pseudonym as the registered form.
func TestNameCulturesStable(t *testing.T) {
	ents := make([]Entity, len(cultureEntities))
	copy(ents, cultureEntities)
	for i := range ents {
		ents[i].Pseudonym = ""
	}
	reg := NewRegistry()
	if err := Assign(context.Background(), testKey(t, 11), reg, ents); err != nil {
		t.Fatal(err)
	}
	r, err := Compile(ents, reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Kind != KindPerson || !strings.Contains(e.Name, " ") {
			continue
		}
		want := r.Redact("with " + e.Name + ".")
		for _, form := range []string{strings.ToUpper(e.Name), norm.NFD.String(e.Name), stripMarks(e.Name)} {
			if got := r.Redact("with " + form + "."); !strings.EqualFold(got, want) {
				t.Errorf("%s: Redact(%q) = %q, want %q", e.ID, form, got, want)
			}
		}
	}
}

// TestCapitalsAcrossBatches: a LineRedactor decides what it holds 16 KiB
// at a time; a word in capitals after a batch still knows the capitals
// before it, as Redact does.
func TestCapitalsAcrossBatches(t *testing.T) {
	r, err := Compile(cultureEntities, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{lineBatch - 12, lineBatch - 11, lineBatch - 7, lineBatch, lineBatch + 3} {
		text := strings.Repeat("x", n) + " WE SAW HOPE\nIS HERE"
		want := r.Redact(text)
		if !strings.Contains(want, "SAW HOPE") {
			t.Fatalf("Redact replaced HOPE amid capitals")
		}
		if got := redactLines(t, r, text); got != want {
			t.Errorf("%d: LineRedactor = %q, Redact = %q", n, got[len(got)-30:], want[len(want)-30:])
		}
	}
}

// TestPluralPseudonymNotReported: the plural a family variant writes ("the
// Pembertons") is the pseudonym's, and the residual scan leaves it.
func TestPluralPseudonymNotReported(t *testing.T) {
	r, err := Compile(cultureEntities, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	out := r.Redact("We had dinner with the Okonkwos on Sunday.")
	if want := "We had dinner with the Pembertons on Sunday."; out != want {
		t.Fatalf("Redact = %q, want %q", out, want)
	}
	for _, f := range Scan(out, r) {
		t.Errorf("Scan reported %s %q", f.Kind, f.Text)
	}
}

// checkRedacts checks that r redacts in to want, written composed and
// decomposed (NFD, as text pasted from macOS), that redacting again changes
// nothing, and that a LineRedactor, a line at a time, gives the same.
func checkRedacts(t *testing.T, r *Redactor, in, want string) {
	t.Helper()
	for _, in := range []string{in, norm.NFD.String(in)} {
		got := r.Redact(in)
		if got != want {
			t.Errorf("Redact(%+q) = %q, want %q", in, got, want)
		}
		if again := r.Redact(got); again != got {
			t.Errorf("not idempotent: Redact(%q) = %q", got, again)
		}
		if lines := redactLines(t, r, in); lines != got {
			t.Errorf("LineRedactor(%+q) = %q, Redact gave %q", in, lines, got)
		}
	}
}
