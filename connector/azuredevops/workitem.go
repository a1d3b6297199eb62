package azuredevops

import (
	"sort"
	"strings"
	"unicode"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// fieldLabels names the common work item fields; others are named after
// the last segment of their reference name ("Microsoft.VSTS.Scheduling.
// StoryPoints" -> "Story Points").
var fieldLabels = map[string]string{
	"System.Title":         "Title",
	"System.State":         "State",
	"System.Reason":        "Reason",
	"System.AssignedTo":    "Assigned To",
	"System.IterationPath": "Iteration",
	"System.AreaPath":      "Area",
	"System.Tags":          "Tags",
	"System.Description":   "Description",
	"System.BoardColumn":   "Board Column",
	"System.BoardLane":     "Board Lane",
	"System.WorkItemType":  "Type",
	"System.TeamProject":   "Project",
	"System.Parent":        "Parent",
}

// fieldOrder puts the fields readers look for first.
var fieldOrder = []string{"System.Title", "System.State", "System.Reason", "System.AssignedTo", "Priority", "Severity", "System.IterationPath", "System.AreaPath", "System.Tags"}

// htmlFields hold HTML rather than plain values.
var htmlFields = map[string]bool{"System.Description": true, "System.History": true, "ReproSteps": true, "AcceptanceCriteria": true, "SystemInfo": true}

// skipField reports the bookkeeping fields that every update touches.
func skipField(ref string) bool {
	switch ref {
	case "System.Rev", "System.AuthorizedDate", "System.RevisedDate", "System.ChangedDate", "System.ChangedBy",
		"System.AuthorizedAs", "System.PersonId", "System.Watermark", "System.History", "System.CommentCount",
		"System.BoardColumnDone", "System.Id", "System.AreaId", "System.IterationId", "System.NodeName",
		"System.CreatedBy", "System.CreatedDate", "System.IsDeleted", "System.TeamProject", "System.WorkItemType":
		return true
	}
	last := lastSegment(ref)
	if strings.HasPrefix(last, "AreaLevel") || strings.HasPrefix(last, "IterationLevel") {
		return true
	}
	switch last {
	case "StateChangeDate", "ActivatedDate", "ActivatedBy", "ResolvedDate", "ResolvedBy", "ClosedDate", "ClosedBy", "Column.Done":
		return true
	}
	if strings.HasSuffix(ref, "Kanban.Column.Done") {
		return true
	}
	if strings.HasSuffix(ref, "Count") || (strings.HasSuffix(ref, "Date") && !strings.Contains(ref, "Scheduling")) {
		return true
	}
	return false
}

// lastSegment is a field reference name after its namespace.
func lastSegment(ref string) string {
	if i := strings.LastIndexByte(ref, '.'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func fieldLabel(ref string) string {
	if l, ok := fieldLabels[ref]; ok {
		return l
	}
	if strings.HasPrefix(ref, "WEF_") {
		switch {
		case strings.HasSuffix(ref, "_Kanban.Column"):
			return "Board Column"
		case strings.HasSuffix(ref, "_Kanban.Lane"):
			return "Board Lane"
		}
	}
	last := lastSegment(ref)
	var b strings.Builder
	rs := []rune(last)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fieldValue is a work item field value as short plain text.
func fieldValue(ref string, n node) string {
	if htmlFields[lastSegment(ref)] || htmlFields[ref] {
		return cardkit.Truncate(strings.Join(strings.Fields(htmlText(n.Str())), " "), 80)
	}
	if n.Object() != nil {
		return person(n)
	}
	return cardkit.Truncate(identityName(n.Str()), 120)
}

// rank orders field reference names: well-known ones first.
func rank(ref string) int {
	for i, f := range fieldOrder {
		if ref == f || lastSegment(ref) == f {
			return i
		}
	}
	return len(fieldOrder)
}

func sortedFields(m map[string]any) []string {
	refs := make([]string, 0, len(m))
	for k := range m {
		refs = append(refs, k)
	}
	sort.Slice(refs, func(i, j int) bool {
		ri, rj := rank(refs[i]), rank(refs[j])
		if ri != rj {
			return ri < rj
		}
		return fieldLabel(refs[i]) < fieldLabel(refs[j])
	})
	return refs
}

// doneStates are states that close a work item.
func doneState(s string) bool {
	switch strings.ToLower(s) {
	case "done", "closed", "resolved", "completed":
		return true
	}
	return false
}

// byline is the actor named at the end of Azure's message, as in
// "Bug #5 (Some great new idea!) deleted by Jamal Hartnett."
func (h hook) byline() string {
	line := strings.TrimSuffix(h.messageLine(), ".")
	if i := strings.LastIndex(line, " by "); i >= 0 {
		return strings.TrimSpace(line[i+4:])
	}
	return ""
}

// workItem covers workitem.created, .updated, .commented, .deleted and
// .restored.
func (h hook) workItem() connector.Output {
	r := h.res
	fields := r.Get("fields")
	var changes node
	id := r.Get("id").Str()
	verb := strings.TrimPrefix(h.event, "workitem.")
	var actor string
	switch h.event {
	case "workitem.updated":
		changes = r.Get("fields")
		fields = r.Get("revision", "fields")
		id = first(r.Get("workItemId").Str(), r.Get("revision", "id").Str(), fields.Get("System.Id").Str())
		actor = first(person(r.Get("revisedBy")), person(fields.Get("System.ChangedBy")), person(changes.Get("System.ChangedBy", "newValue")), h.byline())
	case "workitem.created":
		actor = first(person(fields.Get("System.CreatedBy")), h.byline())
	case "workitem.commented":
		actor = first(person(fields.Get("System.ChangedBy")), h.byline())
		verb = "commented on"
	default: // deleted, restored: the last change is not the deletion
		actor = first(h.byline(), person(fields.Get("System.ChangedBy")))
	}
	current := func(ref string) string {
		if v := fieldValue(ref, fields.Get(ref)); v != "" {
			return v
		}
		return fieldValue(ref, changes.Get(ref, "newValue"))
	}
	typ := first(current("System.WorkItemType"), "Work item")
	title := current("System.Title")
	if id == "" && title == "" {
		return connector.Output{Ignored: "work item event without a work item"}
	}

	href := first(r.Get("_links", "html", "href").Str(), r.Get("revision", "_links", "html", "href").Str(), h.messageLink(""))
	if !webURL(href) {
		href = ""
	}
	if href == "" && id != "" && h.baseURL() != "" && h.event != "workitem.deleted" {
		href = h.baseURL() + "_workitems/edit/" + id
	}

	heading := join(" ", typ, id)
	if title != "" {
		heading += ": " + title
	}
	actor = first(actor, "Someone")
	project := current("System.TeamProject")
	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    heading,
		TitleURL: href,
		Subtitle: bold(actor) + " " + verb + " this " + cardkit.MD(strings.ToLower(typ)),
		Summary:  actor + " " + verb + " " + heading,
	}
	if project != "" {
		c.Subtitle += " in " + cardkit.MD(project)
	}

	switch h.event {
	case "workitem.updated":
		changed := map[string]bool{}
		for _, ref := range sortedFields(changes.Object()) {
			if skipField(ref) {
				continue
			}
			ch := changes.Get(ref)
			oldV, newV := fieldValue(ref, ch.Get("oldValue")), fieldValue(ref, ch.Get("newValue"))
			value := first(oldV, "none") + " → " + first(newV, "none")
			if oldV == newV {
				if ch.Get("oldValue").Str() == ch.Get("newValue").Str() {
					continue
				}
				value = "changed" // differs beyond what the card shows
			}
			label := fieldLabel(ref)
			if changed[label] || len(c.Facts) >= 8 {
				continue
			}
			changed[label] = true
			c.AddFact(label, cardkit.MD(value))
			if ref == "System.State" && doneState(newV) {
				c.Color = cardkit.Good
			}
		}
		if !changed["State"] {
			c.AddFact("State", cardkit.MD(current("System.State")))
		}
		if !changed["Assigned To"] {
			c.AddFact("Assigned To", cardkit.MD(current("System.AssignedTo")))
		}
		if comment := htmlText(changes.Get("System.History", "newValue").Str()); comment != "" {
			c.Text = cardkit.MD(cardkit.Truncate(comment, 1000))
		}
	case "workitem.commented":
		comment := htmlText(fields.Get("System.History").Str())
		if comment == "" {
			// The comment follows the heading and link lines of the
			// detailed message.
			lines := strings.Split(strings.ReplaceAll(h.root.Get("detailedMessage", "text").Str(), "\r\n", "\n"), "\n")
			var keep []string
			for i, l := range lines {
				if i == 0 || (strings.HasPrefix(l, "(http") && strings.HasSuffix(l, ")")) {
					continue
				}
				keep = append(keep, l)
			}
			comment = strings.TrimSpace(strings.Join(keep, "\n"))
		}
		c.Text = cardkit.MD(cardkit.Truncate(comment, 1000))
		c.AddFact("State", cardkit.MD(current("System.State")))
		c.AddFact("Assigned To", cardkit.MD(current("System.AssignedTo")))
	case "workitem.deleted":
		c.Color = cardkit.Warning
		c.AddFact("State", cardkit.MD(current("System.State")))
	default: // created, restored
		c.AddFact("State", cardkit.MD(current("System.State")))
		c.AddFact("Assigned To", cardkit.MD(first(current("System.AssignedTo"), "Unassigned")))
		for _, ref := range sortedFields(fields.Object()) {
			if l := lastSegment(ref); l == "Priority" || l == "Severity" {
				c.AddFact(l, cardkit.MD(current(ref)))
			}
		}
		c.AddFact("Tags", cardkit.MD(current("System.Tags")))
		if h.event == "workitem.created" {
			if d := htmlText(fields.Get("System.Description").Str()); d != "" {
				c.Text = cardkit.MD(cardkit.Truncate(d, 500))
			}
		}
		if doneState(current("System.State")) {
			c.Color = cardkit.Good
		}
	}
	return post(c)
}
