// Package generic is the generic JSON connector: a connection holds a
// template that maps any service's JSON webhook body to a card (title, text,
// facts, link), so a service without a translator needs no server code.
//
// Each field is a Go text/template executed over the decoded body, e.g.
// "{{.alert.name}} is {{.alert.state}}". Templates are checked when saved:
// they must parse, may not define or call other templates, and may not range
// over a number (which could loop for as long as the number says), and may
// nest {{range}} at most three deep. Lists in the body are cut to their
// first 100 elements before the template runs, so the work of any template
// is bounded (100^3 steps at most); and output is capped per field, so a
// template cannot make a huge card.
package generic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// maxField caps what one field may produce.
const maxField = 4000

// Compiled is a checked template, ready to run.
type Compiled struct {
	title, text, link *template.Template
	factNames         []*template.Template
	factValues        []*template.Template
}

var funcs = template.FuncMap{
	// default returns def when v is empty: {{default "unknown" .user.name}}.
	"default": func(def string, v any) any {
		if v == nil || v == "" {
			return def
		}
		return v
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"join": func(sep string, v []any) string {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, sep)
	},
}

// Compile checks a template and prepares it. Its errors say which field is
// wrong and why.
func Compile(t herald.Template) (*Compiled, error) {
	if strings.TrimSpace(t.Title) == "" {
		return nil, errors.New("the template needs a title")
	}
	if len(t.Facts) > 20 {
		return nil, errors.New("a template has at most 20 facts")
	}
	c := &Compiled{}
	var err error
	if c.title, err = field("title", t.Title); err != nil {
		return nil, err
	}
	if c.text, err = field("text", t.Text); err != nil {
		return nil, err
	}
	if c.link, err = field("link", t.Link); err != nil {
		return nil, err
	}
	for i, f := range t.Facts {
		n, err := field(fmt.Sprintf("facts[%d].name", i), f.Name)
		if err != nil {
			return nil, err
		}
		v, err := field(fmt.Sprintf("facts[%d].value", i), f.Value)
		if err != nil {
			return nil, err
		}
		c.factNames, c.factValues = append(c.factNames, n), append(c.factValues, v)
	}
	return c, nil
}

func field(name, src string) (*template.Template, error) {
	if len(src) > maxField {
		return nil, fmt.Errorf("%s: at most %d characters", name, maxField)
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "template: "))
	}
	if len(t.Templates()) > 1 {
		return nil, fmt.Errorf("%s: {{define}} and {{block}} are not allowed", name)
	}
	if err := check(t.Tree.Root, 0); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return t, nil
}

// Bounds on a template's work.
const (
	maxRangeDepth = 3
	maxListLen    = 100
)

// check rejects constructs that could run unbounded. depth counts the
// {{range}} actions around n.
func check(n parse.Node, depth int) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := check(c, depth); err != nil {
				return err
			}
		}
	case *parse.TemplateNode:
		return errors.New("{{template}} is not allowed")
	case *parse.RangeNode:
		for _, cmd := range n.Pipe.Cmds {
			for _, a := range cmd.Args {
				if _, ok := a.(*parse.NumberNode); ok {
					return errors.New("{{range}} over a number is not allowed; range over a list in the body")
				}
			}
		}
		if depth+1 > maxRangeDepth {
			return fmt.Errorf("{{range}} may be nested at most %d deep", maxRangeDepth)
		}
		if err := check(n.List, depth+1); err != nil {
			return err
		}
		return check(n.ElseList, depth)
	case *parse.IfNode:
		if err := check(n.List, depth); err != nil {
			return err
		}
		return check(n.ElseList, depth)
	case *parse.WithNode:
		if err := check(n.List, depth); err != nil {
			return err
		}
		return check(n.ElseList, depth)
	}
	return nil
}

// clip cuts every list in v to maxListLen elements, in place.
func clip(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) > maxListLen {
			x = x[:maxListLen]
		}
		for i := range x {
			x[i] = clip(x[i])
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = clip(e)
		}
	}
	return v
}

// capped is a writer that refuses to grow past maxField.
type capped struct{ bytes.Buffer }

var errTooLong = errors.New("output too long")

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > maxField {
		return 0, errTooLong
	}
	return c.Buffer.Write(p)
}

func run(t *template.Template, data any) (string, error) {
	var out capped
	if err := t.Execute(&out, data); err != nil {
		if errors.Is(err, errTooLong) {
			return "", fmt.Errorf("%s: the result is over %d characters", t.Name(), maxField)
		}
		return "", fmt.Errorf("%s: %v", t.Name(), strings.TrimPrefix(err.Error(), "template: "))
	}
	// A missing key in a JSON object is a nil interface, which text/template
	// prints as "<no value>": show nothing instead.
	return strings.TrimSpace(strings.ReplaceAll(out.String(), "<no value>", "")), nil
}

// Render runs the template over a JSON body and builds the card.
func (c *Compiled) Render(body []byte) (connector.Card, error) {
	var data any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&data); err != nil {
		return connector.Card{}, fmt.Errorf("the body is not JSON: %v", err)
	}
	data = clip(data)
	var card cardkit.Card
	var err error
	if card.Title, err = run(c.title, data); err != nil {
		return connector.Card{}, err
	}
	if card.Title == "" {
		card.Title = "(no title)"
	}
	if card.Text, err = run(c.text, data); err != nil {
		return connector.Card{}, err
	}
	link, err := run(c.link, data)
	if err != nil {
		return connector.Card{}, err
	}
	if strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
		card.TitleURL = link
		card.AddLink("Open", link)
	}
	for i := range c.factNames {
		name, err := run(c.factNames[i], data)
		if err != nil {
			return connector.Card{}, err
		}
		value, err := run(c.factValues[i], data)
		if err != nil {
			return connector.Card{}, err
		}
		card.AddFact(name, value)
	}
	return card.Build(), nil
}

// Translator returns the connector.Translator of a compiled template.
func (c *Compiled) Translator() connector.Translator {
	return func(d connector.Delivery) (connector.Output, error) {
		card, err := c.Render(d.Body)
		if err != nil {
			return connector.Output{}, err
		}
		return connector.Output{Event: "any", Cards: []connector.Card{card}}, nil
	}
}
