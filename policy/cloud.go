package policy

// Cloud profiles. They mirror Microsoft 365's clouds: worldwide commercial,
// Government Community Cloud, GCC High, and Department of Defense.
const (
	Commercial = "commercial"
	GCC        = "gcc"
	GCCH       = "gcch"
	DoD        = "dod"
)

// ValidCloud reports whether s names a cloud profile. Names are lower case.
func ValidCloud(s string) bool {
	switch s {
	case Commercial, GCC, GCCH, DoD:
		return true
	}
	return false
}

// DefaultOrg returns the settings of a new organization in cloud. In gcc and
// gcch connectors start disabled (connectors_enabled is false, the other
// switches are true, so that one switch turns them on); in commercial and dod
// every switch is true. An unknown cloud gets every switch false, so that a
// typo never turns connectors on; callers check [ValidCloud] first.
func DefaultOrg(cloud string) Org {
	switch cloud {
	case Commercial, DoD:
		return Org{
			Cloud:                               cloud,
			ConnectorsEnabled:                   true,
			ConnectorsEnabledForTeams:           true,
			ConnectorsEnabledForOutlook:         true,
			ConnectorsActionableMessagesEnabled: true,
		}
	case GCC, GCCH:
		return Org{
			Cloud:                               cloud,
			ConnectorsEnabled:                   false,
			ConnectorsEnabledForTeams:           true,
			ConnectorsEnabledForOutlook:         true,
			ConnectorsActionableMessagesEnabled: true,
		}
	}
	return Org{Cloud: cloud}
}

// CustomAppsAllowed reports whether custom apps may add connectors in cloud:
// only in commercial. "Custom connectors are not available in GCC, GCCH, and
// DOD"; an unknown cloud gets none either.
func CustomAppsAllowed(cloud string) bool {
	return cloud == Commercial
}
