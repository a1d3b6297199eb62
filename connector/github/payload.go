package github

import "encoding/json"

// payload is the union of the webhook payload fields the translator reads.
// GitHub sends one object per delivery whose keys depend on the event; the
// keys of different events do not clash in type, so one struct holds them
// all. Fields a payload lacks stay zero.
type payload struct {
	Action       string       `json:"action"`
	Sender       *user        `json:"sender"`
	Repository   *repository  `json:"repository"`
	Organization *user        `json:"organization"`
	Changes      changes      `json:"changes"`
	Number       int          `json:"number"`
	PullRequest  *pullRequest `json:"pull_request"`
	Issue        *issue       `json:"issue"`
	Comment      *comment     `json:"comment"`
	Review       *comment     `json:"review"`
	Discussion   *discussion  `json:"discussion"`
	Answer       *comment     `json:"answer"`
	Release      *release     `json:"release"`

	// pull_request assigned, review_requested, auto_merge_disabled
	Assignee          *user  `json:"assignee"`
	RequestedReviewer *user  `json:"requested_reviewer"`
	RequestedTeam     *team  `json:"requested_team"`
	Reason            string `json:"reason"`

	// push, create, delete; before and after also come with synchronize
	Ref        string   `json:"ref"`
	RefType    string   `json:"ref_type"`
	Before     string   `json:"before"`
	After      string   `json:"after"`
	Created    bool     `json:"created"`
	Deleted    bool     `json:"deleted"`
	Forced     bool     `json:"forced"`
	BaseRef    string   `json:"base_ref"`
	Compare    string   `json:"compare"`
	Commits    []commit `json:"commits"`
	HeadCommit *commit  `json:"head_commit"`
	Pusher     *user    `json:"pusher"`

	// CI and deployments
	CheckRun         *checkRun         `json:"check_run"`
	WorkflowRun      *workflowRun      `json:"workflow_run"`
	Deployment       *deployment       `json:"deployment"`
	DeploymentStatus *deploymentStatus `json:"deployment_status"`
	Build            *pagesBuild       `json:"build"`

	// status
	SHA         string        `json:"sha"`
	State       string        `json:"state"`
	TargetURL   string        `json:"target_url"`
	Context     string        `json:"context"`
	Description string        `json:"description"`
	Commit      *statusCommit `json:"commit"`
	Branches    []struct {
		Name string `json:"name"`
	} `json:"branches"`

	// fork, gollum, member, membership, team
	Forkee *repository `json:"forkee"`
	Pages  []wikiPage  `json:"pages"`
	Member *user       `json:"member"`
	Scope  string      `json:"scope"`
	Team   *team       `json:"team"`
}

type user struct {
	Login    string `json:"login"`
	Name     string `json:"name"`     // pushers and commit authors have a name, no login
	Username string `json:"username"` // commit authors GitHub knows
	HTMLURL  string `json:"html_url"`
}

type repository struct {
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	HTMLURL       string `json:"html_url"`
	Private       bool   `json:"private"`
	Stargazers    int    `json:"stargazers_count"`
	DefaultBranch string `json:"default_branch"`
}

type label struct {
	Name string `json:"name"`
}

type milestone struct {
	Title   string `json:"title"`
	HTMLURL string `json:"html_url"`
}

type gitRef struct {
	Ref   string `json:"ref"`
	Label string `json:"label"` // owner:branch
	SHA   string `json:"sha"`
}

type pullRequest struct {
	Number             int        `json:"number"`
	Title              string     `json:"title"`
	HTMLURL            string     `json:"html_url"`
	Body               string     `json:"body"`
	Draft              bool       `json:"draft"`
	Merged             bool       `json:"merged"`
	User               *user      `json:"user"`
	Assignees          []user     `json:"assignees"`
	RequestedReviewers []user     `json:"requested_reviewers"`
	RequestedTeams     []team     `json:"requested_teams"`
	Labels             []label    `json:"labels"`
	Milestone          *milestone `json:"milestone"`
	Head               gitRef     `json:"head"`
	Base               gitRef     `json:"base"`
	Additions          int        `json:"additions"`
	Deletions          int        `json:"deletions"`
	ChangedFiles       int        `json:"changed_files"`
	Commits            int        `json:"commits"`
	ActiveLockReason   string     `json:"active_lock_reason"`
}

type issue struct {
	Number           int        `json:"number"`
	Title            string     `json:"title"`
	HTMLURL          string     `json:"html_url"`
	Body             string     `json:"body"`
	StateReason      string     `json:"state_reason"`
	User             *user      `json:"user"`
	Assignees        []user     `json:"assignees"`
	Labels           []label    `json:"labels"`
	Milestone        *milestone `json:"milestone"`
	ActiveLockReason string     `json:"active_lock_reason"`
	// PullRequest is set when the issue is a pull request (issue_comment).
	PullRequest *struct {
		HTMLURL string `json:"html_url"`
	} `json:"pull_request"`
}

// comment is an issue, commit, review or discussion comment, or a review.
type comment struct {
	HTMLURL  string `json:"html_url"`
	Body     string `json:"body"`
	User     *user  `json:"user"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	CommitID string `json:"commit_id"`
	State    string `json:"state"` // reviews: approved, changes_requested, commented, dismissed
}

type discussion struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	HTMLURL     string `json:"html_url"`
	Body        string `json:"body"`
	StateReason string `json:"state_reason"`
	Category    struct {
		Name string `json:"name"`
	} `json:"category"`
}

type release struct {
	Name            string `json:"name"`
	TagName         string `json:"tag_name"`
	HTMLURL         string `json:"html_url"`
	Body            string `json:"body"`
	Prerelease      bool   `json:"prerelease"`
	TargetCommitish string `json:"target_commitish"`
}

type commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	URL     string `json:"url"`
	Author  user   `json:"author"` // name, email and (when GitHub knows it) username
}

type checkRun struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	Conclusion string `json:"conclusion"`
	HTMLURL    string `json:"html_url"`
	DetailsURL string `json:"details_url"`
	HeadSHA    string `json:"head_sha"`
	App        *struct {
		Name    string `json:"name"`
		HTMLURL string `json:"html_url"`
	} `json:"app"`
	CheckSuite *struct {
		HeadBranch string `json:"head_branch"`
	} `json:"check_suite"`
	Output struct {
		Title   string `json:"title"`
		Summary string `json:"summary"`
	} `json:"output"`
}

type workflowRun struct {
	Name            string `json:"name"`
	DisplayTitle    string `json:"display_title"`
	RunNumber       int    `json:"run_number"`
	RunAttempt      int    `json:"run_attempt"`
	Status          string `json:"status"`
	Conclusion      string `json:"conclusion"`
	HTMLURL         string `json:"html_url"`
	HeadBranch      string `json:"head_branch"`
	HeadSHA         string `json:"head_sha"`
	Event           string `json:"event"`
	Actor           *user  `json:"actor"`
	TriggeringActor *user  `json:"triggering_actor"`
	HeadCommit      *struct {
		Message string `json:"message"`
	} `json:"head_commit"`
}

type deployment struct {
	Creator     *user  `json:"creator"`
	Environment string `json:"environment"`
	Ref         string `json:"ref"`
	SHA         string `json:"sha"`
	Task        string `json:"task"`
	Description string `json:"description"`
}

type deploymentStatus struct {
	State          string `json:"state"`
	Description    string `json:"description"`
	Environment    string `json:"environment"`
	TargetURL      string `json:"target_url"`
	EnvironmentURL string `json:"environment_url"`
	LogURL         string `json:"log_url"`
}

type pagesBuild struct {
	Status string `json:"status"`
	Error  struct {
		Message string `json:"message"`
	} `json:"error"`
	Pusher   *user  `json:"pusher"`
	Commit   string `json:"commit"`
	Duration int    `json:"duration"` // milliseconds
}

type statusCommit struct {
	HTMLURL string `json:"html_url"`
	Commit  struct {
		Message string `json:"message"`
	} `json:"commit"`
}

type wikiPage struct {
	Title   string `json:"title"`
	Action  string `json:"action"` // created, edited
	HTMLURL string `json:"html_url"`
}

type team struct {
	Name        string `json:"name"`
	HTMLURL     string `json:"html_url"`
	Description string `json:"description"`
	Privacy     string `json:"privacy"`
}

// changes holds what an "edited" action changed: per field, the old value
// ({"from": ...}), or for nested fields such as a pull request's base, an
// object of those.
type changes map[string]json.RawMessage

// from returns the old value of a changed field given by its path, such as
// "title" or "base", "ref"; ok is false when the field did not change.
func (c changes) from(path ...string) (old string, ok bool) { return c.value("from", path) }

// to returns the new value of a changed field, for the few changes that
// carry it (a collaborator's permission).
func (c changes) to(path ...string) (string, bool) { return c.value("to", path) }

func (c changes) value(which string, path []string) (string, bool) {
	raw, ok := c[path[0]]
	if !ok {
		return "", false
	}
	for _, key := range path[1:] {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return "", false
		}
		if raw, ok = m[key]; !ok {
			return "", false
		}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m[which] == nil {
		return "", false
	}
	var s string
	if json.Unmarshal(m[which], &s) != nil {
		return "", true // changed, but the value is not text (permission sets)
	}
	return s, true
}
