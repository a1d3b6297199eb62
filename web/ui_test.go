package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald/web"
)

// buildCard is a MessageCard with every part a converted card must show.
// Its pictures are served by Herald (the test has no other network): the
// activity image is avatarURL, the section image Herald's logo.
func buildCard(title, avatarURL, imageURL string) map[string]any {
	return map[string]any{
		"@type": "MessageCard", "@context": "https://schema.org/extensions",
		"summary": title, "themeColor": "2DC72D", "title": title,
		"text": "All **142** tests passed on `main`.",
		"sections": []any{map[string]any{
			"activityTitle":    "Ada Lovelace pushed 3 commits",
			"activitySubtitle": "to heraldhq/herald",
			"activityImage":    avatarURL,
			"facts": []any{
				map[string]any{"name": "Branch", "value": "main"},
				map[string]any{"name": "Duration", "value": "3m 12s"},
			},
			"images": []any{map[string]any{"image": imageURL, "title": "Herald"}},
		}},
		"potentialAction": []any{map[string]any{
			"@type": "OpenUri", "name": "Open build",
			"targets": []any{map[string]any{"os": "default", "uri": "https://ci.example.com/builds/42"}},
		}},
	}
}

// The owner's path through the UI: sign in, open the channel, add an
// Incoming Webhook from the Connectors page, post to its URL and see the card
// arrive live, survive a network drop, Update URL, Remove.
func TestConnectorLifecycle(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := startHerald(t)
	ada := s.user("Ada Lovelace", "ada@example.com", false)
	ch := s.team("Platform", map[string]string{ada.ID: "owner"})
	ctx, _ := newTab(t)

	signIn(t, ctx, s, ada.Email)
	open(t, ctx, s.url+"/channels/"+ch.ID, "#stream .empty")
	waitFor(t, ctx, liveWait, `document.querySelector('#live-status').dataset.state === 'live'`)

	// Connectors page: catalog with search, add an Incoming Webhook with an
	// image, read its URL from the page.
	do(t, ctx, stepWait,
		chromedp.Click(chromedp.CSS(`nav.tabs a[href$="/connectors"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#catalog button[data-action=add][data-connector=incoming-webhook]`)),
		chromedp.SendKeys(chromedp.ID("connector-search"), "nothing"),
	)
	waitFor(t, ctx, stepWait, `!document.querySelector('#catalog [data-connector=incoming-webhook]')`)
	do(t, ctx, stepWait,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#connector-search'); s.value = ''; s.dispatchEvent(new Event('input')); })()`),
		chromedp.SendKeys(chromedp.ID("connector-search"), "webhook"),
		chromedp.Click(chromedp.CSS(`#catalog button[data-action=add][data-connector=incoming-webhook]`)),
		chromedp.WaitVisible(chromedp.ID("connection-name")),
		chromedp.SendKeys(chromedp.ID("connection-name"), "CI Bot"),
		chromedp.SetUploadFiles(chromedp.ID("connection-image"), []string{testPNG(t)}),
		chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("new-webhook-url")),
	)
	url, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("new-webhook-url")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, s.direct+"/webhookb2/"+ch.TeamID+"@") || !strings.Contains(url, "/IncomingWebhook/") {
		t.Fatalf("the page shows webhook URL %q; want one under %s/webhookb2/%s@...", url, s.direct, ch.TeamID)
	}
	connID := strings.Split(strings.SplitN(url, "/IncomingWebhook/", 2)[1], "/")[0]
	row := fmt.Sprintf(`#configured li.connection[data-id=%q]`, connID)
	do(t, ctx, stepWait,
		chromedp.Click(chromedp.CSS(`dialog .dialog-actions .button.primary`)), // Done
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if got := eval[string](t, ctx, `document.querySelector(`+js(row+" img.avatar")+`)?.getAttribute('src') || ''`); got != "/api/v1/connections/"+connID+"/image" {
		t.Errorf("the connection's picture is %q, want its uploaded image", got)
	}

	// The stream: a card posted to the URL shows within 5 s, without reload.
	open(t, ctx, s.url+"/channels/"+ch.ID, "#stream")
	waitFor(t, ctx, liveWait, `document.querySelector('#live-status').dataset.state === 'live'`)
	avatarURL := s.url + "/api/v1/connections/" + connID + "/image"
	logoURL := s.url + "/static/img/herald.svg"
	mustPost(t, url, buildCard("Build 42 passed", avatarURL, logoURL))
	start := time.Now()
	waitFor(t, ctx, liveWait, `[...document.querySelectorAll('#messages .message')].some(m => m.textContent.includes('Build 42 passed'))`)
	t.Logf("the card showed %v after the post", time.Since(start).Round(time.Millisecond))
	msg := `#messages .message:last-child`
	checks := map[string]string{
		"author is the connection's name":   `document.querySelector('` + msg + ` .author').textContent === 'CI Bot'`,
		"author picture":                    `document.querySelector('` + msg + ` > img.avatar').getAttribute('src') === '/api/v1/connections/` + connID + `/image'`,
		"time":                              `!!document.querySelector('` + msg + ` time[datetime]')`,
		"text with Markdown":                `document.querySelector('` + msg + ` .card-host strong')?.textContent === '142'`,
		"activity title":                    `document.querySelector('` + msg + `').textContent.includes('Ada Lovelace pushed 3 commits')`,
		"activity image":                    `!!document.querySelector('` + msg + ` .card-host img[src="` + avatarURL + `"]')`,
		"facts":                             `document.querySelector('` + msg + `').textContent.includes('Duration') && document.querySelector('` + msg + `').textContent.includes('3m 12s')`,
		"images":                            `!!document.querySelector('` + msg + ` .ac-imageSet img[src="` + logoURL + `"]')`,
		"OpenUrl button":                    `[...document.querySelectorAll('` + msg + ` button')].some(b => b.textContent.includes('Open build'))`,
		"theme colour bar":                  `document.querySelector('` + msg + ` .card-host').style.borderTopColor === 'rgb(45, 199, 45)'`,
		"rendered by the Adaptive Cards JS": `!!document.querySelector('` + msg + ` .ac-adaptiveCard')`,
	}
	for what, cond := range checks {
		if !eval[bool](t, ctx, cond) {
			t.Errorf("the card in the stream lacks its %s (%s)", what, cond)
		}
	}

	// A network drop: the stream reconnects with Last-Event-ID and catches
	// up with what was posted meanwhile, each message once.
	s.proxy.cut()
	waitFor(t, ctx, stepWait, `document.querySelector('#live-status').dataset.state !== 'live'`)
	mustPost(t, url, map[string]any{"text": "Posted while the browser was offline (1)"})
	mustPost(t, url, map[string]any{"text": "Posted while the browser was offline (2)"})
	s.proxy.mend()
	waitFor(t, ctx, stepWait, `[...document.querySelectorAll('#messages .message')].some(m => m.textContent.includes('offline (2)'))`)
	mustPost(t, url, map[string]any{"text": "Back online"})
	waitFor(t, ctx, liveWait, `[...document.querySelectorAll('#messages .message')].some(m => m.textContent.includes('Back online'))`)
	if n := eval[int](t, ctx, `document.querySelectorAll('#messages .message').length`); n != 4 {
		t.Errorf("after the drop the stream shows %d messages, want 4 (no loss, no duplicates)", n)
	}
	if order := eval[string](t, ctx, `[...document.querySelectorAll('#messages .message')].map(m => m.dataset.seq).join(',')`); order != "1,2,3,4" {
		t.Errorf("messages by seq: %s, want 1,2,3,4", order)
	}
	screenshotStream(t, ctx, s, url)

	// Update URL.
	connectors := s.url + "/channels/" + ch.ID + "/connectors"
	t.Run("UpdateURL", func(t *testing.T) {
		open(t, ctx, connectors, row)
		do(t, ctx, stepWait,
			chromedp.Click(chromedp.CSS(row+` button[data-action=manage]`)),
			chromedp.WaitVisible(chromedp.ID("manage-webhook-url")),
			chromedp.Click(chromedp.ID("update-url")),
			chromedp.WaitVisible(chromedp.CSS(`dialog.confirm #old-webhook-url`)),
			chromedp.Click(chromedp.CSS(`dialog.confirm .dialog-actions .button.primary`)),
		)
		waitFor(t, ctx, stepWait, `!!document.querySelector('#rotate-result').dataset.result`)
		switch result := eval[string](t, ctx, `document.querySelector('#rotate-result').dataset.result`); result {
		case "updated":
			newURL := eval[string](t, ctx, `document.querySelector('#rotated-webhook-url').value`)
			if newURL == "" || newURL == url {
				t.Fatalf("after Update URL the page shows %q (old %q)", newURL, url)
			}
			mustPost(t, newURL, map[string]any{"text": "Posted to the new URL"})
			// A sender still on the old URL (it works during the grace
			// period) puts the connection in "Attention required".
			mustPost(t, url, map[string]any{"text": "Posted to the old URL"})
			url = newURL
			do(t, ctx, stepWait, chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog")))
			s.connection(ch.ID, "Grafana alerts")
			jenkins := s.connection(ch.ID, "Jenkins")
			mustPost(t, jenkins.WebhookURL, map[string]any{"text": "Job nightly #311 succeeded"})
			open(t, ctx, connectors, row+".attention .attention-reasons li")
			if reason := eval[string](t, ctx, `document.querySelector(`+js(row+" .attention-reasons li")+`).textContent`); !strings.Contains(reason, "old URL still in use") {
				t.Errorf("attention reason %q", reason)
			}
			if !eval[bool](t, ctx, `document.querySelector(`+js(row)+`).textContent.includes('Attention required')`) {
				t.Error("the connection does not say Attention required")
			}
			screenshot(t, ctx, "connectors")
		case "unavailable":
			// Only a missing endpoint (404) may skip this step.
			req, _ := http.NewRequest("POST", s.direct+"/api/v1/connections/"+connID+"/url", strings.NewReader(`{"grace":"24h"}`))
			req.Header.Set("Authorization", "Bearer "+adminToken)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusNotFound {
				t.Skipf("POST /api/v1/connections/{id}/url is not there yet (404 %s); the page said so", strings.TrimSpace(string(body)))
			}
			t.Fatalf("the page said Update URL is unavailable, but the endpoint answers %d %s", res.StatusCode, body)
		default:
			t.Fatalf("Update URL: %s\npage %s", result, pageText(ctx))
		}
	})

	t.Run("Remove", func(t *testing.T) {
		open(t, ctx, connectors, row)
		do(t, ctx, stepWait,
			chromedp.Click(chromedp.CSS(row+` button[data-action=remove]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.confirm .button.danger`)),
			chromedp.Click(chromedp.CSS(`dialog.confirm .button.danger`)),
			chromedp.WaitNotPresent(chromedp.CSS(row)),
		)
		if code, body := post(t, url, map[string]any{"text": "after removal"}); code != http.StatusGone {
			t.Errorf("posting to a removed connection's URL: %d %q, want 410", code, body)
		}
	})
}

// screenshotStream adds a few typical posts and takes the stream's picture.
func screenshotStream(t *testing.T, ctx context.Context, s *server, url string) {
	t.Helper()
	if !screenshots() {
		return
	}
	mustPost(t, url, map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"type": "AdaptiveCard", "version": "1.5",
				"body": []any{
					map[string]any{"type": "TextBlock", "text": "Deployment to production", "weight": "Bolder", "size": "Medium"},
					map[string]any{"type": "TextBlock", "text": "Release **v2.4.0** is live. See the [release notes](https://example.com/releases/v2.4.0).", "wrap": true},
					map[string]any{"type": "FactSet", "facts": []any{
						map[string]any{"title": "Environment", "value": "production"},
						map[string]any{"title": "Version", "value": "v2.4.0"},
						map[string]any{"title": "Duration", "value": "4m 05s"},
					}},
				},
				"actions": []any{
					map[string]any{"type": "Action.OpenUrl", "title": "View deployment", "url": "https://example.com/deploys/981"},
					map[string]any{"type": "Action.Http", "title": "Roll back", "method": "POST", "url": "https://example.com/rollback"},
				},
			},
		}},
	})
	waitFor(t, ctx, liveWait, `[...document.querySelectorAll('#messages .message')].some(m => m.textContent.includes('Deployment to production'))`)
	do(t, ctx, stepWait, chromedp.Evaluate[chromedp.Void](`document.querySelector('#m-1').scrollIntoView({block: 'start'})`))
	screenshot(t, ctx, "stream")
}

func screenshots() bool { return os.Getenv("HERALD_SCREENSHOTS") == "1" }

// Payload HTML and script never run: script tags, event handler attributes
// and javascript: links are shown as text or dropped, and no dialog opens.
func TestPayloadCannotRunScript(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := startHerald(t)
	bob := s.user("Bob", "bob@example.com", false)
	ch := s.team("Security", map[string]string{bob.ID: "member"})
	hook := s.connection(ch.ID, "Untrusted")
	ctx, watch := newTab(t)

	// The UI pages carry the policy.
	res, err := http.Get(s.url + "/channels/" + ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Content-Security-Policy"); got != web.CSP {
		t.Errorf("channel page CSP %q, want %q", got, web.CSP)
	}

	signIn(t, ctx, s, bob.Email)
	open(t, ctx, s.url+"/channels/"+ch.ID, "#stream .empty")
	waitFor(t, ctx, liveWait, `document.querySelector('#live-status').dataset.state === 'live'`)
	evil := "Evil <script>window.__pwned = 1; alert('script')</script> and <img src=x onerror=\"window.__pwned = 2; alert('img')\"> " +
		"and [a javascript link](javascript:alert('link')) and <a href=\"javascript:alert('a')\">a raw link</a> and " +
		"<iframe src=\"javascript:alert('frame')\"></iframe> and [a good link](https://example.com/ok)"
	// An Adaptive Card keeps its text as sent (Markdown): only the browser's
	// rendering stands between it and the page.
	mustPost(t, hook.WebhookURL, map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"type": "AdaptiveCard", "version": "1.4",
				"body": []any{
					map[string]any{"type": "TextBlock", "text": evil, "wrap": true},
					map[string]any{"type": "FactSet", "facts": []any{map[string]any{"title": "<b onmouseover=alert(1)>t</b>", "value": "[v](javascript:alert('fact'))"}}},
				},
				"actions": []any{map[string]any{"type": "Action.OpenUrl", "title": "Open", "url": "javascript:alert('action')"}},
			},
		}},
	})
	// A MessageCard with HTML (the server converts it; the browser checks too).
	mustPost(t, hook.WebhookURL, map[string]any{
		"summary": "html card", "title": "<script>alert('title')</script>HTML card",
		"text": evil, "markdown": false,
	})
	mustPost(t, hook.WebhookURL, "<script>alert('plain')</script><img src=x onerror=alert('plain')> plain text")
	waitFor(t, ctx, liveWait, `document.querySelectorAll('#messages .message').length === 3`)
	do(t, ctx, stepWait, chromedp.Sleep(300*time.Millisecond)) // give any script its chance

	checks := map[string]string{
		"no script ran":                     `window.__pwned === undefined`,
		"no <script> from a payload":        `document.querySelectorAll('#messages script').length === 0`,
		"no event handler attributes":       `[...document.querySelectorAll('#messages *')].every(e => ![...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))`,
		"no javascript: link":               `[...document.querySelectorAll('#messages [href], #messages [src]')].every(e => !/^\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || ''))`,
		"no iframe":                         `document.querySelectorAll('#messages iframe, #messages object, #messages embed').length === 0`,
		"no <img> from card text":           `document.querySelectorAll('#messages .ac-textBlock img').length === 0`,
		"links open safely":                 `[...document.querySelectorAll('#messages a[href]')].every(a => a.target === '_blank' && a.rel.includes('noopener') && a.rel.includes('noreferrer'))`,
		"the good link is kept":             `!!document.querySelector('#messages a[href="https://example.com/ok"]')`,
		"the javascript: link's text stays": `document.querySelector('#messages').textContent.includes('a javascript link')`,
	}
	for what, cond := range checks {
		if !eval[bool](t, ctx, cond) {
			t.Errorf("%s: %s is false", what, cond)
		}
	}
	// A click on the bad link does nothing either.
	do(t, ctx, stepWait, chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#messages a')].forEach(a => { if (!a.getAttribute('href')) a.click(); })`), chromedp.Sleep(200*time.Millisecond))
	if !eval[bool](t, ctx, `window.__pwned === undefined`) {
		t.Error("a click ran payload script")
	}
	if dialogs, violations := watch.take(); len(dialogs)+len(violations) > 0 {
		t.Fatalf("payload cards opened dialogs %q or broke the policy %q", dialogs, violations)
	}

	// The watch sees what it is there to see: a dialog opened by the page's
	// own script, and the browser refusing inline script under the policy.
	do(t, ctx, stepWait, chromedp.Evaluate[chromedp.Void](`setTimeout(() => alert('probe'), 0);
		const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s);`))
	deadline := time.Now().Add(stepWait)
	var dialogs, violations []string
	for time.Now().Before(deadline) && (len(dialogs) == 0 || len(violations) == 0) {
		time.Sleep(50 * time.Millisecond)
		d, v := watch.take()
		dialogs, violations = append(dialogs, d...), append(violations, v...)
	}
	if len(dialogs) != 1 || len(violations) != 1 {
		t.Errorf("the probes gave dialogs %q and violations %q; want one of each", dialogs, violations)
	}
	if eval[bool](t, ctx, `window.__inline !== undefined`) {
		t.Error("an inline script ran: the Content-Security-Policy is not in force")
	}
}

// A guest sees the connectors but no button to add, change or remove one,
// and no team settings.
func TestGuestSeesNoManageButtons(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := startHerald(t)
	gus := s.user("Gus Guest", "gus@example.com", false)
	ch := s.team("Partners", map[string]string{gus.ID: "guest"})
	hook := s.connection(ch.ID, "Status page")
	mustPost(t, hook.WebhookURL, map[string]any{"text": "All systems operational"})
	ctx, _ := newTab(t)

	signIn(t, ctx, s, gus.Email)
	open(t, ctx, s.url+"/channels/"+ch.ID, "#messages .message")
	if eval[bool](t, ctx, `!!document.querySelector('#topbar-user a[href="/admin"]')`) {
		t.Error("a guest sees the Admin link")
	}
	open(t, ctx, s.url+"/channels/"+ch.ID+"/connectors", `#configured li.connection`)
	waitFor(t, ctx, stepWait, `document.querySelectorAll('#catalog li.catalog-item').length > 0`)
	for what, sel := range map[string]string{
		"Add":        `#catalog button`,
		"Manage":     `button[data-action=manage]`,
		"Remove":     `button[data-action=remove]`,
		"any action": `#main button[data-action]`,
	} {
		if eval[bool](t, ctx, `!!document.querySelector(`+js(sel)+`)`) {
			t.Errorf("a guest sees a %s button (%s)", what, sel)
		}
	}
	if !eval[bool](t, ctx, `document.querySelector('#main').textContent.includes('Guests can see')`) {
		t.Error("the page does not tell the guest why there are no buttons")
	}
	if eval[bool](t, ctx, `document.querySelector('#configured').textContent.includes('webhookb2')`) {
		t.Error("a guest sees a webhook URL")
	}
	open(t, ctx, s.url+"/teams/"+ch.TeamID, "#channels-title")
	if eval[bool](t, ctx, `!!document.querySelector('#team-settings-link') || !!document.querySelector('#channel-name')`) {
		t.Error("a guest sees team settings or the new-channel form")
	}
}

// The organization admin's page: switches, the cloud profile read-only, the
// audit log with paging; and the team settings page.
func TestAdminPages(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := startHerald(t)
	root := s.user("Grace Hopper", "grace@example.com", true)
	ch := s.team("Operations", map[string]string{root.ID: "owner"})
	for i := range 24 { // more audit entries than one page (25)
		s.connection(ch.ID, fmt.Sprintf("Feed %02d", i))
	}
	ctx, _ := newTab(t)

	signIn(t, ctx, s, root.Email)
	open(t, ctx, s.url+"/admin", "#audit-rows tr")
	if got := eval[string](t, ctx, `document.querySelector('#cloud-profile').textContent`); got != "Commercial" {
		t.Errorf("cloud profile shows %q", got)
	}
	if eval[bool](t, ctx, `!!document.querySelector('#cloud-profile input, #cloud-profile select')`) {
		t.Error("the cloud profile is editable")
	}
	screenshot(t, ctx, "admin")
	first := eval[int](t, ctx, `document.querySelectorAll('#audit-rows tr').length`)
	do(t, ctx, stepWait, chromedp.Click(chromedp.ID("audit-more")))
	waitFor(t, ctx, stepWait, fmt.Sprintf(`document.querySelectorAll('#audit-rows tr').length > %d`, first))

	// A switch: off in the page, off in the API.
	do(t, ctx, stepWait, chromedp.Click(chromedp.ID("org-connectors_actionable_messages_enabled")))
	waitFor(t, ctx, stepWait, `!document.querySelector('#org-connectors_actionable_messages_enabled').disabled`)
	var org map[string]any
	s.call(adminToken, "GET", "/org", nil, 200, &org)
	if org["connectors_actionable_messages_enabled"] != false {
		t.Errorf("after the click the org is %v", org)
	}

	// Team settings: a switch and the member list.
	open(t, ctx, s.url+"/teams/"+ch.TeamID+"/settings", "#members table")
	do(t, ctx, stepWait, chromedp.Click(chromedp.ID("members-manage")))
	waitFor(t, ctx, stepWait, `!document.querySelector('#members-manage').disabled`)
	var team map[string]any
	s.call(adminToken, "GET", "/teams/"+ch.TeamID, nil, 200, &team)
	if team["members_can_manage_connectors"] != false {
		t.Errorf("after the click the team is %v", team)
	}

}

// Older messages load on scroll up; at 375 px the channel list collapses
// behind the menu button and nothing overflows sideways.
func TestStreamPagingAndNarrowScreen(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := startHerald(t)
	eve := s.user("Eve", "eve@example.com", false)
	ch := s.team("Mobile", map[string]string{eve.ID: "member"})
	hook := s.connection(ch.ID, "Ticker")
	for i := 1; i <= 45; i++ {
		mustPost(t, hook.WebhookURL, map[string]any{"text": fmt.Sprintf("Tick number %d", i)})
	}
	ctx, _ := newTab(t)

	signIn(t, ctx, s, eve.Email)
	open(t, ctx, s.url+"/channels/"+ch.ID, "#messages .message")
	if n := eval[int](t, ctx, `document.querySelectorAll('#messages .message').length`); n != 30 {
		t.Errorf("first page shows %d messages, want 30", n)
	}
	if !eval[bool](t, ctx, `(() => { const s = document.querySelector('#stream'); return s.scrollHeight - s.scrollTop - s.clientHeight < 5 })()`) {
		t.Error("the stream does not start at the newest message")
	}
	if !eval[bool](t, ctx, `document.querySelector('#messages .message:last-child').textContent.includes('Tick number 45')`) {
		t.Error("the newest message is not at the bottom")
	}
	do(t, ctx, stepWait, chromedp.Evaluate[chromedp.Void](`document.querySelector('#stream').scrollTop = 0`))
	waitFor(t, ctx, stepWait, `document.querySelectorAll('#messages .message').length === 45 && !!document.querySelector('.stream-start')`)
	if !eval[bool](t, ctx, `document.querySelector('#messages .message:first-child').textContent.includes('Tick number 1')`) {
		t.Error("the oldest message is not at the top")
	}

	do(t, ctx, stepWait, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#messages .message")))
	if !eval[bool](t, ctx, `getComputedStyle(document.querySelector('#sidebar')).visibility === 'hidden'`) {
		t.Error("at 375 px the channel list is not collapsed")
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("at 375 px the page is %d px wide", w)
	}
	do(t, ctx, stepWait, chromedp.Click(chromedp.ID("menu-button")))
	waitFor(t, ctx, stepWait, `getComputedStyle(document.querySelector('#sidebar')).visibility === 'visible' && document.activeElement.closest('#sidebar') !== null`)
	do(t, ctx, stepWait, chromedp.KeyEvent("\x1b"))
	waitFor(t, ctx, stepWait, `getComputedStyle(document.querySelector('#sidebar')).visibility === 'hidden' && document.activeElement.id === 'menu-button'`)
	// A dialog keeps the focus inside and closes on Escape.
	open(t, ctx, s.url+"/channels/"+ch.ID+"/connectors", "#configured li.connection")
	do(t, ctx, stepWait, chromedp.Click(chromedp.CSS(`button[data-action=remove]`)), chromedp.WaitVisible(chromedp.CSS(`dialog.confirm`)))
	for range 4 {
		do(t, ctx, stepWait, chromedp.KeyEvent("\t"))
		if !eval[bool](t, ctx, `!!document.activeElement.closest('dialog')`) {
			t.Fatal("Tab left the open dialog")
		}
	}
	do(t, ctx, stepWait, chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS(`dialog.confirm`)))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("at 375 px the connectors page is %d px wide", w)
	}
}
