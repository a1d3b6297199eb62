package github

import (
	"strings"

	"github.com/heraldhq/herald/connector/cardkit"
)

// issue adds the issue (or the pull request an issue comment is on) to a
// sentence: its number in the subtitle, number and title in the summary.
func (s *sentence) issue(is *issue) *sentence {
	kind, short := "issue", "issue"
	if is.PullRequest != nil {
		kind, short = "pull request", "PR"
	}
	return s.obj(kind+hashNumber(is.Number), short+" "+numbered(is.Number, is.Title))
}

func hasIssue(p *payload) bool {
	return p.Issue != nil && (p.Issue.Number > 0 || p.Issue.HTMLURL != "")
}

// issuesEvent is an issue opened, closed, edited, assigned and so on.
func issuesEvent(p *payload) reply {
	if !hasIssue(p) {
		return ignore("no issue in the payload")
	}
	is := p.Issue
	c := &cardkit.Card{Title: numbered(is.Number, is.Title), TitleURL: safeURL(is.HTMLURL), Color: cardkit.Accent}
	s := p.says()
	switch p.Action {
	case "opened":
		s.say(" opened ").issue(is)
		c.Text = excerpt(is.Body)
		c.AddFact("Assignees", logins(is.Assignees))
		c.AddFact("Labels", labels(is.Labels))
		if is.Milestone != nil {
			c.AddFact("Milestone", is.Milestone.Title)
		}
	case "closed":
		s.say(" closed ").issue(is)
		switch is.StateReason {
		case "not_planned":
			s.say(" as not planned")
		case "duplicate":
			s.say(" as a duplicate")
		default:
			s.say(" as completed")
			c.Color = cardkit.Good
		}
	case "reopened":
		s.say(" reopened ").issue(is)
	case "edited":
		s.say(" edited ").issue(is)
		if old, ok := p.Changes.from("title"); ok {
			c.AddFact("Old title", old)
		}
		if _, ok := p.Changes.from("body"); ok {
			c.Text = excerpt(is.Body)
		}
	case "assigned":
		if login(p.Assignee) == "" || login(p.Assignee) == p.actor() {
			s.say(" self-assigned ").issue(is)
		} else {
			s.say(" assigned ").issue(is).say(" to ").link(p.Assignee.Login, safeURL(p.Assignee.HTMLURL))
		}
	case "unassigned":
		if login(p.Assignee) == "" || login(p.Assignee) == p.actor() {
			s.say(" unassigned themselves from ").issue(is)
		} else {
			s.say(" unassigned ").link(p.Assignee.Login, safeURL(p.Assignee.HTMLURL)).say(" from ").issue(is)
		}
	case "locked":
		s.say(" locked the conversation on ").issue(is)
		c.AddFact("Reason", strings.ReplaceAll(is.ActiveLockReason, "_", " "))
	case "unlocked":
		s.say(" unlocked the conversation on ").issue(is)
	case "pinned":
		s.say(" pinned ").issue(is)
	case "unpinned":
		s.say(" unpinned ").issue(is)
	case "transferred":
		s.say(" transferred ").issue(is)
	case "deleted":
		s.say(" deleted ").issue(is)
		c.Color = cardkit.Attention
	case "milestoned":
		s.say(" added ").issue(is).say(" to a milestone")
		if is.Milestone != nil {
			c.AddFact("Milestone", is.Milestone.Title)
		}
	case "demilestoned":
		s.say(" removed ").issue(is).say(" from its milestone")
	case "labeled", "unlabeled":
		return ignore("label changes are not posted")
	default:
		return ignore("action not covered: issues." + p.Action)
	}
	s.repo("in", p).fill(c)
	return reply{card: c}
}

// commented adds what the actor did with a comment, linked to it.
func (s *sentence) commented(action, url string) (*sentence, bool) {
	switch action {
	case "created":
		return s.say(" ").link("commented", url).say(" on "), true
	case "edited":
		return s.say(" edited a ").link("comment", url).say(" on "), true
	case "deleted":
		return s.say(" deleted a ").link("comment", url).say(" on "), true
	}
	return s, false
}

// issueCommentEvent is a comment on an issue or on a pull request's
// conversation.
func issueCommentEvent(p *payload) reply {
	if !hasIssue(p) || p.Comment == nil {
		return ignore("no issue comment in the payload")
	}
	is, cm := p.Issue, p.Comment
	c := &cardkit.Card{Title: numbered(is.Number, is.Title), TitleURL: safeURL(is.HTMLURL), Color: cardkit.Accent}
	s, ok := p.says().commented(p.Action, safeURL(cm.HTMLURL))
	if !ok {
		return ignore("action not covered: issue_comment." + p.Action)
	}
	s.issue(is).repo("in", p).fill(c)
	c.Text = excerpt(cm.Body)
	return reply{card: c}
}

// commitCommentEvent is a comment on a commit.
func commitCommentEvent(p *payload) reply {
	if p.Comment == nil || p.Comment.CommitID == "" {
		return ignore("no commit comment in the payload")
	}
	cm := p.Comment
	c := &cardkit.Card{Title: "Commit " + short(cm.CommitID), TitleURL: p.commitURL(cm.CommitID), Color: cardkit.Accent}
	s, ok := p.says().commented(p.Action, safeURL(cm.HTMLURL))
	if !ok {
		if p.Action != "" {
			return ignore("action not covered: commit_comment." + p.Action)
		}
		s, _ = s.commented("created", safeURL(cm.HTMLURL)) // older payloads have no action
	}
	s.commit(p, cm.CommitID).repo("in", p).fill(c)
	c.Text = excerpt(cm.Body)
	c.AddFact("File", fileLine(cm))
	return reply{card: c}
}

// discussion adds the discussion to a sentence.
func (s *sentence) discussion(d *discussion) *sentence {
	return s.obj("discussion"+hashNumber(d.Number), "discussion "+numbered(d.Number, d.Title))
}

func hasDiscussion(p *payload) bool {
	return p.Discussion != nil && (p.Discussion.Number > 0 || p.Discussion.HTMLURL != "")
}

func discussionCard(d *discussion) *cardkit.Card {
	c := &cardkit.Card{Title: numbered(d.Number, d.Title), TitleURL: safeURL(d.HTMLURL), Color: cardkit.Accent}
	c.AddFact("Category", d.Category.Name)
	return c
}

// discussionEvent is a discussion started, answered, closed and so on.
func discussionEvent(p *payload) reply {
	if !hasDiscussion(p) {
		return ignore("no discussion in the payload")
	}
	d := p.Discussion
	c := discussionCard(d)
	s := p.says()
	switch p.Action {
	case "created":
		s.say(" started ").discussion(d)
		c.Text = excerpt(d.Body)
	case "edited":
		s.say(" edited ").discussion(d)
		if _, ok := p.Changes.from("body"); ok {
			c.Text = excerpt(d.Body)
		}
	case "deleted":
		s.say(" deleted ").discussion(d)
		c.Color = cardkit.Attention
	case "answered":
		answer := ""
		if p.Answer != nil {
			answer = safeURL(p.Answer.HTMLURL)
			c.Text = excerpt(p.Answer.Body)
		}
		s.say(" marked ").link("an answer", answer).say(" to ").discussion(d)
		c.Color = cardkit.Good
	case "unanswered":
		s.say(" unmarked the answer to ").discussion(d)
	case "closed":
		s.say(" closed ").discussion(d)
		if d.StateReason != "" {
			s.say(" as ").name(strings.ReplaceAll(strings.ToLower(d.StateReason), "_", " "))
		}
	case "reopened":
		s.say(" reopened ").discussion(d)
	case "locked":
		s.say(" locked ").discussion(d)
	case "unlocked":
		s.say(" unlocked ").discussion(d)
	case "pinned":
		s.say(" pinned ").discussion(d)
	case "unpinned":
		s.say(" unpinned ").discussion(d)
	case "transferred":
		s.say(" transferred ").discussion(d)
	case "category_changed":
		s.say(" moved ").discussion(d).say(" to another category")
	case "labeled", "unlabeled":
		return ignore("label changes are not posted")
	default:
		return ignore("action not covered: discussion." + p.Action)
	}
	s.repo("in", p).fill(c)
	return reply{card: c}
}

// discussionCommentEvent is a comment on a discussion.
func discussionCommentEvent(p *payload) reply {
	if !hasDiscussion(p) || p.Comment == nil {
		return ignore("no discussion comment in the payload")
	}
	c := discussionCard(p.Discussion)
	s, ok := p.says().commented(p.Action, safeURL(p.Comment.HTMLURL))
	if !ok {
		return ignore("action not covered: discussion_comment." + p.Action)
	}
	s.discussion(p.Discussion).repo("in", p).fill(c)
	c.Text = excerpt(p.Comment.Body)
	return reply{card: c}
}
