// Package card reads the payloads that senders POST to Herald's webhook URLs
// and turns each into one canonical form: an Adaptive Card. It is pure: no I/O,
// no network, no clock beyond formatting a timestamp the payload carries.
//
// # Entry points
//
// Parse reads a payload posted to a Teams-shaped Incoming Webhook URL and
// detects its shape from the body, as Teams does:
//
//   - the Teams "message" envelope whose attachments include one with
//     contentType application/vnd.microsoft.card.adaptive: FormatAdaptive;
//   - a Slack-shaped body (a "blocks" array, "attachments" objects without a
//     contentType, or Slack-only keys such as "username" or "icon_emoji"):
//     FormatSlack;
//   - a text/plain body that is not a JSON object: FormatText;
//   - any other JSON object: a MessageCard (FormatMessageCard), with or
//     without "@type"/"@context", or with "type":"MessageCard". {"text":"Hello"}
//     is a valid MessageCard.
//
// ParseSlack reads a payload posted to the Slack-compatible URL (JSON, or a
// form-encoded payload=<json>) and answers with Slack's error texts.
//
// Errors are *Error values holding the exact status (400, or 413 for bodies
// over 1 MiB, a safety net behind the caller's 28 KB limit) and the plain-text
// body the sender must see. Teams' own texts are kept where senders match on
// them: "Summary or Text is required." (also what Teams answers for a bare
// AdaptiveCard posted without the envelope) and "Bad payload received by
// generic incoming webhook." (JSON that is not an object). Syntax errors name
// the byte offset, and the line and column for multi-line bodies.
//
// # The canonical card
//
// Every Message.Card starts with
//
//	{"type":"AdaptiveCard","$schema":"http://adaptivecards.io/schemas/adaptive-card.json","version":...,"body":[...]
//
// and is deterministic: the same payload always gives the same bytes (members
// are written in a fixed order, or in the sender's order for adaptive cards;
// nothing depends on map iteration). Strings are escaped like encoding/json
// does, including <, > and &, so a card can be embedded in HTML safely.
//
// Herald-specific data that Adaptive Cards have no property for sits under a
// top-level "herald" object, which renderers ignore and which is removed from
// cards that senders supply:
//
//   - "themeColor": "#RRGGBB" — a MessageCard's themeColor (accepted with or
//     without "#", 3 or 6 hex digits; other values are ignored as Teams ignores
//     them), or the colour of a Slack message's first attachment. The web UI
//     draws it as the accent bar Teams shows above connector cards.
//   - "sender": {"name","iconUrl","iconEmoji"} — Slack's username and icon
//     overrides, which Slack shows instead of the webhook's own name and icon.
//
// # Adaptive Cards from the envelope
//
// Cards are kept as sent, member order included, with these changes only:
// type, $schema and version are written first (version normalized to
// "major.minor"; a missing version is read as 1.5, the newest Teams renders);
// msteams is matched case-insensitively (msTeams, MSTeams) and written as
// "msteams", with width "full" written as "Full", mention entities untouched;
// Action.Submit is removed wherever it appears (Teams does not support it from
// webhooks), as are Action.OpenUrl and Action.Http with unsafe URLs, and any
// member (selectAction, inlineAction, fallback) holding such an action; URL
// members (url, iconUrl, backgroundImage, poster, image) with unsafe URLs are
// removed; duplicate member names keep the last value. Elements are never
// removed from a body. Text stays Markdown as sent: the web UI renders it
// sanitized.
//
// Version 1.6 and later are refused with 400 and a reason: Teams accepts such
// posts and then shows "this card couldn't be displayed", which a sender
// cannot see; refusing tells them at once. Unparseable versions are refused
// the same way.
//
// Several adaptive attachments (Teams shows them as a list) are combined into
// one card rather than dropped: each card's body (and its actions, as an
// ActionSet) goes into its own Container, separated; the version is the
// highest of them; msteams is the first card's, with the mention entities of
// all of them; other top-level members come from the first card. Non-adaptive
// attachments next to adaptive ones are ignored. An o365connector attachment
// (a MessageCard in the envelope) is converted as a MessageCard. A "content"
// sent as a JSON string is parsed once.
//
// The summary is the envelope's top-level "summary", else the first
// TextBlock's (or RichTextBlock's) text.
//
// # MessageCards
//
// Conversion follows what Teams shows: title (large, bold), text, up to 10
// sections, each a Container with its title, the activity block (activityImage
// beside activityTitle, activitySubtitle and activityText in a ColumnSet; the
// image is cropped to a circle unless activityImageType is "article"), text,
// facts as a FactSet ({name,value}, or {key,value} as shoutrrr sends, values
// may be numbers or booleans), up to 5 images as an ImageSet, and up to 5
// section actions as an ActionSet. heroImage, startGroup and hideOriginalBody
// are ignored, as in Teams. Card actions (potentialAction) become the card's
// actions, the first 4 usable ones: OpenUri (the os "default" target, else the
// first http(s) one) and ViewAction become Action.OpenUrl; HttpPOST becomes
// Action.Http (method POST, url, body, headers, with bodyContentType as a
// Content-Type header); ActionCard becomes Action.ShowCard with its inputs
// (TextInput, DateInput, MultichoiceInput to Input.Text, Input.Date,
// Input.ChoiceSet, with Teams' default style: expanded when multi-select) and
// its OpenUri/HttpPOST actions. InvokeAddInCommand (Outlook only) and unknown
// types are dropped. A card with only a summary shows the summary.
//
// Senders are loose, so reading is tolerant: member names match
// case-insensitively (the last duplicate wins), numbers and booleans are read
// where strings are expected, "false"/"true" strings where booleans are, a lone
// object where an array is expected, "markdown" at card and section level, and
// unknown members are ignored. Raw control characters inside JSON strings are
// accepted (Newtonsoft, behind Teams, accepts them) and a UTF-8 byte order mark
// is skipped; trailing commas, comments and single quotes are syntax errors.
//
// # Text: Markdown, HTML and URLs
//
// Card text is Markdown. MessageCard text in HTML mode ("markdown": false), and
// Markdown that contains tags, is converted: b/strong, i/em, s/del, a, br, p,
// div, ul/ol/li, h1-h6, code, pre, blockquote, hr and img become Markdown; the
// content of script, style, iframe, object and the like is dropped; every
// other tag is removed and its text kept; entities are decoded, and a decoded
// "<" that would start a tag is written as "&lt;". No raw HTML reaches a card.
// In HTML mode white space is collapsed and Markdown punctuation escaped, so
// it shows as HTML would show it. Text without "<" or link syntax is passed
// through untouched, without allocating: that is the hot path.
//
// Only http and https URLs survive in actions and images, and additionally
// mailto in links (Markdown links, Action.OpenUrl). Markdown links and images
// with other URLs (javascript:, data:, vbscript:, relative) are reduced to
// their text, link reference definitions to nothing, and unsafe autolinks to
// plain text. Spaces in URLs are percent-encoded.
//
// Slack mrkdwn is converted to Markdown: <url|label> links, <@U1|name> and
// <#C1|name> mentions, <!here>/<!channel>/<!everyone>, <!subteam^..>,
// <!date^..|fallback>, *bold*, _italic_, ~strike~ (following Slack's word
// boundary rules, so "*foo*a*bar*" stays as it is), the &amp; &lt; &gt;
// escapes; code spans are copied unchanged. Blocks: section (text, fields in two
// columns, image accessory beside the text, URL button accessory), header,
// context, divider (a separator on the next element), image, actions (URL
// buttons only; buttons that would call a Slack app back cannot work here),
// rich_text (best effort), video and markdown; other blocks are ignored.
// Legacy attachments: pretext, author, title and link, text, fields as a
// FactSet, image and thumbnail, blocks, URL buttons, footer and ts (as
// "2006-01-02 15:04 UTC"), the colour as a Container style for
// good/warning/danger. As in Slack, top-level text is shown only when there
// are no blocks; otherwise it is the summary. A payload with nothing to show
// is refused (no_text, or Teams' MessageCard error on the Teams URL).
//
// # Summary
//
// Message.Summary is one line of plain text of at most 200 runes (cut with
// "…"): a MessageCard's summary, else its title, else its text; an adaptive
// card's envelope summary, else its first text; Slack's text, else the first
// block text, else the first attachment fallback. Markdown and HTML are
// stripped reasonably ("snake_case_" keeps its underscores).
//
// # Bounded work
//
// Nesting deeper than 64 objects/arrays is refused before any conversion, and
// every loop over sender data is bounded (sections, facts, images, actions,
// inputs, blocks, attachments, link nesting, link destination scans), so the
// cost of a payload grows linearly with its size. The reader keeps its
// working memory in a sync.Pool: converting a typical 1.5 KB MessageCard
// takes a few microseconds and 4 allocations.
package card
