package card

import (
	"strings"
	"testing"
)

func TestSafeURL(t *testing.T) {
	tests := []struct {
		in     string
		mailto bool
		want   string
		ok     bool
	}{
		{"https://example.com/x", false, "https://example.com/x", true},
		{"  HTTP://Example.com  ", false, "HTTP://Example.com", true},
		{"http://localhost/job/simple job/1", false, "http://localhost/job/simple%20job/1", true},
		{"mailto:a@b.c", true, "mailto:a@b.c", true},
		{"mailto:a@b.c", false, "", false},
		{"javascript:alert(1)", true, "", false},
		{"JavaScript:alert(1)", true, "", false},
		{"data:image/png;base64,AAAA", false, "", false},
		{"vbscript:x", true, "", false},
		{"file:///etc/passwd", false, "", false},
		{"//evil.example/x", false, "", false},
		{"/relative/path", false, "", false},
		{"https://", false, "", false},
		{"https:///x", false, "", false},
		{"https://a\nb", false, "", false},
		{"null", false, "", false},
		{"", false, "", false},
	}
	for _, tt := range tests {
		got, ok := safeURL(tt.in, tt.mailto)
		if got != tt.want || ok != tt.ok {
			t.Errorf("safeURL(%q, %v) = %q, %v; want %q, %v", tt.in, tt.mailto, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMarkdownSafety(t *testing.T) {
	tests := []struct {
		name string
		in   string
		md   bool
		want string
	}{
		{"plain unchanged", "Build 42 passed", true, "Build 42 passed"},
		{"safe link kept", "see [docs](https://d/x) now", true, "see [docs](https://d/x) now"},
		{"js link to label", "click [here](javascript:alert(1)) now", true, "click here now"},
		{"js link with title", `[x](javascript:alert(1) "t")`, true, "x"},
		{"js image dropped to alt", "![alt](javascript:x)", true, "alt"},
		{"data image dropped to alt", "![pic](data:image/png;base64,AA)", true, "pic"},
		{"angle destination", "[x](<javascript:alert(1)>)", true, "x"},
		{"ref definition removed", "[x][1]\n\n[1]: javascript:alert(1)\nafter", true, "[x][1]\n\nafter"},
		{"safe ref definition kept", "[x][1]\n\n[1]: https://ok", true, "[x][1]\n\n[1]: https://ok"},
		{"unsafe autolink unwrapped", "go <javascript:alert(1)>", true, "go javascript:alert(1)"},
		{"safe autolink kept", "go <https://ok>", true, "go <https://ok>"},
		{"comparison kept", "a < b and c > d, <3", true, "a < b and c > d, <3"},
		{"script removed", "hi <script>alert(1)</script>there", true, "hi there"},
		{"style removed", "<style>body{}</style>text", true, "text"},
		{"event handler dropped", `<img src="x" onerror="alert(1)">ok`, true, "ok"},
		{"iframe removed", `a<iframe src="https://evil"></iframe>b`, true, "ab"},
		{"html link safe", `<a href="https://ok/x">OK</a>`, true, "[OK](https://ok/x)"},
		{"html link unsafe", `<a href="javascript:alert(1)">bad</a>`, true, "bad"},
		{"html link with parens", `<a href="https://w/A_(b)">w</a>`, true, "[w](https://w/A_%28b%29)"},
		{"html image", `<img src="https://i/x.png" alt="X">`, true, "![X](https://i/x.png)"},
		{"mixed markdown and html", "**md** <b>html</b> <https://auto>", true, "**md** **html** [https://auto](https://auto)"},
		{"emphasis spaces moved", "<b> bold </b>word", true, "**bold** word"},
		{"empty emphasis dropped", "a<b></b>b", true, "ab"},
		{"entities decoded and re-escaped", "&lt;script&gt;x&lt;/script&gt; &amp; ok", false, "&lt;script>x&lt;/script> & ok"},
		{"html mode escapes markdown", "a*b*_c_ [x]", false, `a\*b\*\_c\_ \[x\]`},
		{"html mode collapses space", "a\n  b\t\tc", false, "a b c"},
		{"headings", "<h1>T</h1><h3>S</h3>x", false, "# T\n\n### S\n\nx"},
		{"lists", "<ul><li>a</li><li>b<ol><li>c</li></ol></li></ul>after", false, "- a\n- b\n   1. c\n\nafter"},
		{"paragraphs and br", "<p>one<br>two</p><p>three</p>", false, "one  \ntwo\n\nthree"},
		{"pre and code", "<pre>x <b>y</b>\n  z</pre><code>c</code>", false, "```\nx y\n  z\n```\n\n`c`"},
		{"unknown tags stripped", "<span style='x'><font color=red>t</font></span>", false, "t"},
		{"comment stripped", "a<!-- secret -->b", true, "ab"},
		{"unclosed tags", "<b>bold <i>both", false, "**bold _both_**"},
		{"hr", "a<hr>b", false, "a\n\n---\n\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := getState()
			defer putState(s)
			if got := s.markdown(tt.in, tt.md); got != tt.want {
				t.Errorf("markdown(%q, %v)\n got %q\nwant %q", tt.in, tt.md, got, tt.want)
			}
		})
	}
}

func TestMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"some *foo* word", "some **foo** word"},
		{"*foo*", "**foo**"},
		{"*foo* *bar*", "**foo** **bar**"},
		{"*foo*a*bar*", "*foo*a*bar*"},
		{"some _foo_ word", "some _foo_ word"},
		{"~gone~", "~~gone~~"},
		{"2 * 3 * 4", "2 * 3 * 4"},
		{"snake_case_name", "snake_case_name"},
		{"*<https://x|bold link>*", "**[bold link](https://x)**"},
		{"<https://x>", "[https://x](https://x)"},
		{"<mailto:a@b.c|mail me>", "[mail me](mailto:a@b.c)"},
		{"<ftp://x|file>", "file"},
		{"<!channel> <!everyone> <!subteam^S1|@ops> <!subteam^S2>", "@channel @everyone @ops @S2"},
		{"<!date^1392734382^{date}|Feb 18>", "Feb 18"},
		{"<!date^1392734382^{date}>", "2014-02-18 14:39 UTC"},
		{"<@U1> <#C1>", "@U1 #C1"},
		{"a &lt;b&gt; c", "a &lt;b> c"},
		{"x &lt; y &amp;&amp; z", "x < y && z"},
		{"unclosed <b", "unclosed &lt;b"},
		{"`*code*` and ```<b>*x*```", "`*code*` and ```<b>*x*```"},
		{"<https://x|[a](javascript:y)>", "[a](https://x)"},
	}
	for _, tt := range tests {
		s := getState()
		if got := s.mrkdwn(tt.in, true); got != tt.want {
			t.Errorf("mrkdwn(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		putState(s)
	}
}

func TestPlain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**bold** and _it_", "bold and it"},
		{"[label](https://x) ![img](https://i)", "label img"},
		{"[FIRING:2] alert", "[FIRING:2] alert"},
		{"# Title\n- item\n> quote", "Title item quote"},
		{"a\\_b\\_c", "a_b_c"},
		{"2 * 3", "2 * 3"},
		{"under_score_ word_", "under_score_ word_"},
		{"<p>Hello <b>you</b></p>", "Hello you"},
		{"  many\n\n spaces  ", "many spaces"},
	}
	for _, tt := range tests {
		if got := plain(tt.in); got != tt.want {
			t.Errorf("plain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSummarizeRunes(t *testing.T) {
	s := summarize(strings.Repeat("日本", 150))
	if n := len([]rune(s)); n != maxSummaryRunes {
		t.Fatalf("%d runes", n)
	}
	if !strings.HasSuffix(s, "…") {
		t.Fatalf("no ellipsis: %q", s)
	}
	if got := summarize("short"); got != "short" {
		t.Fatalf("%q", got)
	}
}

func TestJSONStrings(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"a\u00e9\ud83d\ude00"`, "aé😀"},
		{`"lone \ud800 surrogate"`, "lone \uFFFD surrogate"},
		{`"tab\tnewline\n\/slash"`, "tab\tnewline\n/slash"},
		{"\"raw\nnewline\"", "raw\nnewline"},
		{"\"bad \xff utf8\"", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		var tr tree
		root, err := tr.parse(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := tr.text(root); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendQuoted(t *testing.T) {
	got := string(appendQuoted(nil, "a\"b\\c\n<script>&\u2028\x01\xff"))
	want := `"a\"b\\c\n\u003cscript\u003e\u0026\u2028\u0001\ufffd"`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}
