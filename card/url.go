package card

import "strings"

// safeURL returns u if it may appear in a card: an absolute http or https URL
// with a host, or (when mailto is true, for links a person clicks) a mailto:
// address. Everything else (javascript:, data:, vbscript:, file:, relative
// paths, protocol-relative //host) is refused, because a card is rendered in
// browsers and mail clients we do not control. Spaces are percent-encoded so
// the URL also works as a Markdown link destination.
func safeURL(u string, mailto bool) (string, bool) {
	u = strings.TrimSpace(u)
	var rest string
	switch {
	case hasPrefixFold(u, "https://"):
		rest = u[len("https://"):]
	case hasPrefixFold(u, "http://"):
		rest = u[len("http://"):]
	case mailto && hasPrefixFold(u, "mailto:"):
		rest = u[len("mailto:"):]
		if rest == "" {
			return "", false
		}
	default:
		return "", false
	}
	if rest == "" || rest[0] == '/' || rest[0] == '\\' || rest[0] == '?' || rest[0] == '#' {
		return "", false
	}
	spaces := false
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c < 0x20 || c == 0x7f {
			return "", false
		}
		if c == ' ' {
			spaces = true
		}
	}
	if spaces {
		u = strings.ReplaceAll(u, " ", "%20")
	}
	return u, true
}

// linkDest makes a safe URL usable as a Markdown link destination: parentheses
// and angle brackets would end or confuse the destination, so they are encoded.
func linkDest(u string) string {
	if strings.ContainsAny(u, "()<>") {
		u = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(u)
	}
	return u
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case; prefix is lower case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}
