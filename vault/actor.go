package vault

// Actor is who acted, as the study's config knows them: the role their
// recipient classes imply, the label the config gives them (if any) and a
// short fingerprint of their public recipient. The audit log records the
// recipient itself; every listing names actors through Config.Actor.
type Actor struct {
	Recipient   string `json:"recipient"`
	Role        string `json:"role"`
	Label       string `json:"label,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

// Roles as listings name them.
const (
	ActorResearcher = "researcher"
	ActorSupervisor = "supervisor"
	ActorEthics     = "ethics officer"
	ActorUnknown    = "identity not in the config"
)

// Actor names a recipient by role and label, as the config records them
// (removed recipients included; a config written before roles were recorded
// has its roles read from the recipient classes, see Config.Person). It is
// the one place that decides how an actor is shown: the audit log's table
// and CSV, the officer's report, recipient labels.
func (c *Config) Actor(recipient string) Actor {
	if recipient == "" {
		return Actor{}
	}
	a := Actor{Recipient: recipient, Fingerprint: Fingerprint(recipient), Role: ActorUnknown}
	if p, ok := c.Person(recipient); ok {
		a.Label = p.Label
		switch p.Role {
		case RoleResearcher:
			a.Role = ActorResearcher
		case RoleSupervisor:
			a.Role = ActorSupervisor
		case RoleEthics:
			a.Role = ActorEthics
		}
	}
	return a
}

// String is the actor as a listing shows it: "label (role)", else
// "role fingerprint".
func (a Actor) String() string {
	if a.Recipient == "" {
		return "-"
	}
	if a.Label != "" {
		return a.Label + " (" + a.Role + ")"
	}
	return a.Role + " " + a.Fingerprint
}
