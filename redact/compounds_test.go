package redact

import (
	"testing"
)

// TestCompoundNames: a name whose registered parts are written together
// or apart in the text (the same letters with or without a space or a
// hyphen between them) is the registered person's, and the part it
// stands for gets the pseudonym's part; a joined form that is an ordinary
// word is left.
func TestCompoundNames(t *testing.T) {
	ents := []Entity{
		{ID: "C01", Kind: KindPerson, Name: "Abdul Rahman Haddadi", Pseudonym: "Tariq Fenwick"},
		{ID: "C02", Kind: KindPerson, Name: "Yusuf Abdulkarim", Pseudonym: "Sami Hollis"},
		{ID: "C03", Kind: KindPerson, Name: "Tesfaye Gebre Mariam", Pseudonym: "Dawit Royle"},
		{ID: "C04", Kind: KindPerson, Name: "Selam Hailemariam", Pseudonym: "Meron Oakley"},
		{ID: "C05", Kind: KindPerson, Name: "Mohamed Ali Farouk", Pseudonym: "Karim Dalby"},
		{ID: "C06", Kind: KindPerson, Name: "Nurulhuda Aziz", Pseudonym: "Aisha Pellow"},
		{ID: "C07", Kind: KindPerson, Name: "Joana Desouza", Pseudonym: "Rita Felton"},
		{ID: "C08", Kind: KindPerson, Name: "Greta Vandyke", Pseudonym: "Ida Corliss"},
		{ID: "C09", Kind: KindPerson, Name: "Ewan MacDonald", Pseudonym: "Rory Tillett"},
		{ID: "C10", Kind: KindPerson, Name: "Will Power", Pseudonym: "Dan Ferris"},
		{ID: "C11", Kind: KindPerson, Name: "Annemarie Quenby", Pseudonym: "Joan Lister"},
		{ID: "C12", Kind: KindPerson, Name: "Nurul Ain", Pseudonym: "Siti Marlow"},
		{ID: "C13", Kind: KindPerson, Name: "Mary Ellen", Pseudonym: "Jane Royd"},
	}
	r, err := Compile(ents, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{
		// Registered apart, written joined or hyphenated.
		{"Abdulrahman Haddadi, Abdulrahman, Abdul-Rahman", "Tariq Fenwick, Tariq, Tariq"},
		{"Gebremariam, Gebre-Mariam, Mr Gebremariam", "Royle, Royle, Mr Royle"},
		{"Mohamedali Farouk and Mohamedali", "Karim Dalby and Karim"},
		// Registered joined, written apart.
		{"Abdul Karim, Abdul-Karim, Yusuf Abdul Karim", "Hollis, Hollis, Sami Hollis"},
		{"Haile Mariam, Haile-Mariam, Ms Haile Mariam", "Oakley, Oakley, Ms Oakley"},
		{"Nurul Huda Aziz, Nurul-Huda", "Aisha Pellow, Aisha"},
		{"De Souza, De-Souza, DeSouza, Joana De Souza", "Felton, Felton, Felton, Rita Felton"},
		{"Van Dyke, Van-Dyke, VanDyke, Greta Van Dyke", "Corliss, Corliss, Corliss, Ida Corliss"},
		{"Mac Donald, Macdonald, MacDonald", "Tillett, Tillett, Tillett"},
		{"Anne Marie Quenby and Anne-Marie", "Joan Lister and Joan"},
		{"Nurulain and Maryellen", "Siti Marlow and Jane Royd"},
		// A joined form that is an ordinary word is prose.
		{"It took willpower. Willpower, said Will Power.", "It took willpower. Willpower, said Dan Ferris."},
	} {
		checkRedacts(t, r, c[0], c[1])
	}
}
