package github

import (
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector/cardkit"
)

// prCard starts a card about a pull request: its number and title, linked.
func prCard(p *payload) *cardkit.Card {
	pr := p.PullRequest
	return &cardkit.Card{
		Title:    numbered(pr.Number, pr.Title),
		TitleURL: safeURL(pr.HTMLURL),
		Color:    cardkit.Accent,
	}
}

// hasPR reports whether the payload carries a pull request to show.
func hasPR(p *payload) bool {
	return p.PullRequest != nil && (p.PullRequest.Number > 0 || p.PullRequest.HTMLURL != "")
}

// pr adds the pull request to a sentence: its number in the subtitle,
// under the card's title; number and title in the summary.
func (s *sentence) pr(p *payload) *sentence {
	pr := p.PullRequest
	return s.obj("pull request"+hashNumber(pr.Number), "PR "+numbered(pr.Number, pr.Title))
}

// branches is "head → base", with the head's owner when it lives in a fork.
func branches(pr *pullRequest) string {
	if pr.Base.Ref == "" {
		return ""
	}
	head := pr.Head.Ref
	if owner, _, ok := strings.Cut(pr.Head.Label, ":"); ok && pr.Base.Label != "" && !strings.HasPrefix(pr.Base.Label, owner+":") {
		head = pr.Head.Label
	}
	if head == "" {
		return pr.Base.Ref
	}
	return head + " → " + pr.Base.Ref
}

// pullRequestEvent is a pull request opened, closed or merged, edited,
// assigned, sent for review, updated, locked or set to auto-merge.
func pullRequestEvent(p *payload) reply {
	if !hasPR(p) {
		return ignore("no pull request in the payload")
	}
	pr := p.PullRequest
	c := prCard(p)
	s := p.says()
	switch p.Action {
	case "opened":
		if pr.Draft {
			s.say(" opened draft ").pr(p)
		} else {
			s.say(" opened ").pr(p)
		}
		c.Text = excerpt(pr.Body)
		c.AddFact("Assignees", logins(pr.Assignees))
		c.AddFact("Reviewers", reviewers(pr))
		c.AddFact("Labels", labels(pr.Labels))
		c.AddFact("Changes", diffStat(pr))
	case "closed":
		if pr.Merged {
			s.say(" merged ").pr(p)
			c.Color = cardkit.Good
		} else {
			s.say(" closed ").pr(p).say(" without merging")
			c.Color = cardkit.Attention
		}
	case "reopened":
		s.say(" reopened ").pr(p)
	case "edited":
		s.say(" edited ").pr(p)
		if old, ok := p.Changes.from("title"); ok {
			c.AddFact("Old title", old)
		}
		if old, ok := p.Changes.from("base", "ref"); ok {
			c.AddFact("Old base", old)
		}
		if _, ok := p.Changes.from("body"); ok {
			c.Text = excerpt(pr.Body)
		}
	case "assigned":
		if login(p.Assignee) == "" || login(p.Assignee) == p.actor() {
			s.say(" self-assigned ").pr(p)
		} else {
			s.say(" assigned ").pr(p).say(" to ").link(p.Assignee.Login, safeURL(p.Assignee.HTMLURL))
		}
	case "unassigned":
		if login(p.Assignee) == "" || login(p.Assignee) == p.actor() {
			s.say(" unassigned themselves from ").pr(p)
		} else {
			s.say(" unassigned ").link(p.Assignee.Login, safeURL(p.Assignee.HTMLURL)).say(" from ").pr(p)
		}
	case "review_requested":
		s.say(" requested a review from ")
		p.reviewer(s).say(" on ").pr(p)
	case "review_request_removed":
		s.say(" removed the review request for ")
		p.reviewer(s).say(" on ").pr(p)
	case "synchronize":
		s.say(" pushed new commits to ").pr(p)
		if isHex(p.Before) && isHex(p.After) && p.repoURL() != "" {
			c.AddLink("Compare changes", p.repoURL()+"/compare/"+prefix(p.Before, 12)+"..."+prefix(p.After, 12))
		}
	case "ready_for_review":
		s.say(" marked ").pr(p).say(" as ready for review")
	case "converted_to_draft":
		s.say(" converted ").pr(p).say(" to a draft")
	case "locked":
		s.say(" locked the conversation on ").pr(p)
		c.AddFact("Reason", strings.ReplaceAll(pr.ActiveLockReason, "_", " "))
	case "unlocked":
		s.say(" unlocked the conversation on ").pr(p)
	case "auto_merge_enabled":
		s.say(" enabled auto-merge for ").pr(p)
	case "auto_merge_disabled":
		s.say(" disabled auto-merge for ").pr(p)
		c.AddFact("Reason", p.Reason)
	case "labeled", "unlabeled":
		return ignore("label changes are not posted")
	default:
		return ignore("action not covered: pull_request." + p.Action)
	}
	s.repo("in", p).fill(c)
	if b := branches(pr); b != "" {
		c.Facts = append([]cardkit.Fact{{Name: "Branch", Value: b}}, c.Facts...)
	}
	return reply{card: c, branch: pr.Base.Ref}
}

// reviewer adds the requested reviewer, a user or a team, linked.
func (p *payload) reviewer(s *sentence) *sentence {
	switch {
	case login(p.RequestedReviewer) != "":
		return s.link(p.RequestedReviewer.Login, safeURL(p.RequestedReviewer.HTMLURL))
	case p.RequestedTeam != nil && p.RequestedTeam.Name != "":
		return s.link(p.RequestedTeam.Name, safeURL(p.RequestedTeam.HTMLURL)).say(" (team)")
	}
	return s.say("someone")
}

// hashNumber is " #N", or "" for no number.
func hashNumber(n int) string {
	if n <= 0 {
		return ""
	}
	return " #" + strconv.Itoa(n)
}

func reviewers(pr *pullRequest) string {
	names := []string{}
	for _, u := range pr.RequestedReviewers {
		if u.Login != "" {
			names = append(names, u.Login)
		}
	}
	for _, t := range pr.RequestedTeams {
		if t.Name != "" {
			names = append(names, t.Name+" (team)")
		}
	}
	return joinAnd(names)
}

func labels(ls []label) string {
	var names []string
	for _, l := range ls {
		if l.Name != "" {
			names = append(names, l.Name)
		}
	}
	return strings.Join(names, ", ")
}

// diffStat is "+12 −3 in 2 files, 1 commit".
func diffStat(pr *pullRequest) string {
	if pr.ChangedFiles == 0 && pr.Commits == 0 {
		return ""
	}
	s := "+" + strconv.Itoa(pr.Additions) + " −" + strconv.Itoa(pr.Deletions) + " in " + plural(pr.ChangedFiles, "file", "files")
	if pr.Commits > 0 {
		s += ", " + plural(pr.Commits, "commit", "commits")
	}
	return s
}

// reviewEvent is a review of a pull request submitted, edited or dismissed.
func reviewEvent(p *payload) reply {
	if !hasPR(p) || p.Review == nil {
		return ignore("no review in the payload")
	}
	rv := p.Review
	c := prCard(p)
	review := safeURL(rv.HTMLURL)
	s := p.says()
	switch p.Action {
	case "submitted":
		switch strings.ToLower(rv.State) {
		case "approved":
			s.say(" ").link("approved", review).say(" ").pr(p)
			c.Color = cardkit.Good
		case "changes_requested":
			s.say(" ").link("requested changes", review).say(" on ").pr(p)
			c.Color = cardkit.Warning
		default:
			s.say(" ").link("reviewed", review).say(" ").pr(p)
		}
		c.Text = excerpt(rv.Body)
	case "edited":
		s.say(" edited a ").link("review", review).say(" on ").pr(p)
		c.Text = excerpt(rv.Body)
	case "dismissed":
		s.say(" dismissed a ").link("review", review)
		if r := login(rv.User); r != "" {
			s.say(" by ").name(r)
		}
		s.say(" on ").pr(p)
		c.Color = cardkit.Warning
	default:
		return ignore("action not covered: pull_request_review." + p.Action)
	}
	s.repo("in", p).fill(c)
	c.AddFact("Branch", branches(p.PullRequest))
	return reply{card: c, branch: p.PullRequest.Base.Ref}
}

// reviewCommentEvent is a comment on a line of a pull request's diff.
func reviewCommentEvent(p *payload) reply {
	if !hasPR(p) || p.Comment == nil {
		return ignore("no review comment in the payload")
	}
	cm := p.Comment
	c := prCard(p)
	s := p.says()
	switch p.Action {
	case "created":
		s.say(" ").link("commented", safeURL(cm.HTMLURL)).say(" on ").pr(p)
		c.Text = excerpt(cm.Body)
	case "edited":
		s.say(" edited a ").link("review comment", safeURL(cm.HTMLURL)).say(" on ").pr(p)
		c.Text = excerpt(cm.Body)
	case "deleted":
		s.say(" deleted a ").link("review comment", safeURL(cm.HTMLURL)).say(" on ").pr(p)
	default:
		return ignore("action not covered: pull_request_review_comment." + p.Action)
	}
	s.repo("in", p).fill(c)
	c.AddFact("Branch", branches(p.PullRequest))
	c.AddFact("File", fileLine(cm))
	return reply{card: c, branch: p.PullRequest.Base.Ref}
}

// fileLine is "path:line" for a comment on a line of a file.
func fileLine(cm *comment) string {
	if cm.Path == "" {
		return ""
	}
	if cm.Line > 0 {
		return cm.Path + ":" + strconv.Itoa(cm.Line)
	}
	return cm.Path
}
