package gitlab

import (
	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// memberEvents are the group member events ("Member Hook", and system
// hooks): the event name's suffix and what happened.
var memberEvents = map[string]struct{ event, what string }{
	"user_add_to_group":                    {"add", "added to group"},
	"user_remove_from_group":               {"remove", "removed from group"},
	"user_update_for_group":                {"update", "has new access to group"},
	"user_access_request_to_group":         {"access_request", "requested access to group"},
	"user_access_request_denied_for_group": {"access_denied", "was denied access to group"},
}

// adminEvents are the other events of system hooks (and of group hooks for
// subgroups and projects): the event name's suffix for group hooks, and
// what happened.
var adminEvents = map[string]struct{ event, what string }{
	"user_add_to_team":      {"", "added to project"},
	"user_remove_from_team": {"", "removed from project"},
	"user_update_for_team":  {"", "has new access to project"},
	"user_create":           {"", "created"},
	"user_destroy":          {"", "deleted"},
	"user_rename":           {"", "renamed"},
	"user_failed_login":     {"", "failed to sign in"},
	"project_create":        {"create", "created"},
	"project_destroy":       {"destroy", "deleted"},
	"project_rename":        {"rename", "renamed"},
	"project_transfer":      {"transfer", "transferred"},
	"project_update":        {"update", "updated"},
	"group_create":          {"", "created"},
	"group_destroy":         {"", "deleted"},
	"group_rename":          {"", "renamed"},
	"key_create":            {"", "added"},
	"key_destroy":           {"", "removed"},
	"subgroup_create":       {"create", "created"},
	"subgroup_destroy":      {"destroy", "deleted"},
}

// adminEvent covers group member, subgroup and project events of group
// hooks, and the administration events of system hooks (users, projects,
// groups, SSH keys), which name no instance URL and so have no links.
func adminEvent(root value, kind string, system bool) connector.Output {
	ev := root.get("event_name").str()
	var suffix, what string
	if m, ok := memberEvents[ev]; ok {
		suffix, what = m.event, m.what
	} else if a, ok := adminEvents[ev]; ok {
		suffix, what = a.event, a.what
	}
	event := kind + "." + suffix
	if system || suffix == "" {
		event = "system." + slug(ev)
	}
	if ev == "" {
		return ignored(kind, kind+" event without an event_name")
	}
	if what == "" {
		return ignored(event, "event not covered: "+cardkit.Truncate(ev, 60))
	}
	user := root.first("user_name", "name", "user_username", "username")
	username := root.first("user_username", "username")
	group := root.first("group_name", "group_path", "full_path", "path")
	proj := root.first("project_path_with_namespace", "path_with_namespace", "project_name", "name")

	c := &cardkit.Card{Color: cardkit.Accent}
	switch {
	case kind == "member" || ev == "user_add_to_team" || ev == "user_remove_from_team" || ev == "user_update_for_team":
		where := group
		if kind != "member" {
			where = proj
		}
		c.Title = user + " " + what + " " + where
		addText(c, "Access", root.first("group_access", "access_level"))
		addText(c, "Expires", root.get("expires_at").str())
		addText(c, "Username", username)
	case ev == "user_rename":
		c.Title = "User " + root.get("old_username").str() + " renamed to " + username
		addText(c, "Name", root.get("name").str())
	case ev == "user_failed_login":
		c.Title = "Failed sign-in for " + username
		c.Color = cardkit.Attention
		addText(c, "Name", root.get("name").str())
		addText(c, "State", root.get("state").str())
	case ev == "user_create" || ev == "user_destroy":
		c.Title = "User " + user + " " + what
		addText(c, "Username", username)
	case kind == "project":
		c.Title = "Project " + proj + " " + what
		switch ev {
		case "project_rename", "project_transfer":
			c.Title = "Project " + root.get("old_path_with_namespace").str() + " " + what + " to " + proj
		}
		addText(c, "Owner", root.get("owner_name").str())
		addText(c, "Visibility", root.get("project_visibility").str())
	case kind == "subgroup":
		c.Title = "Subgroup " + root.first("full_path", "name") + " " + what
		addText(c, "Parent group", root.first("parent_full_path", "parent_name"))
	case ev == "group_rename":
		c.Title = "Group " + root.first("old_full_path", "old_path") + " renamed to " + root.first("full_path", "path")
	case ev == "group_create" || ev == "group_destroy":
		c.Title = "Group " + root.first("full_path", "path", "name") + " " + what
		addText(c, "Name", root.get("name").str())
	case ev == "key_create" || ev == "key_destroy":
		c.Title = "SSH key " + what + " for " + username
		addText(c, "Key id", root.get("id").str())
	}
	if ev == "project_destroy" || ev == "group_destroy" || ev == "user_destroy" || ev == "subgroup_destroy" ||
		ev == "user_remove_from_group" || ev == "user_remove_from_team" || ev == "key_destroy" {
		c.Color = cardkit.Warning
	}
	if c.Title == "" {
		return ignored(event, "event not covered: "+cardkit.Truncate(ev, 60))
	}
	c.Summary = c.Title
	if system {
		c.Subtitle = "GitLab system event"
	}
	return posted(event, "", c)
}
