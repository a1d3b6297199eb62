// Cards: the official Adaptive Cards renderer (vendor/adaptivecards.min.js),
// with Herald's host config, Action.Http registered, and Markdown rendered by
// marked and sanitized by DOMPurify. Payloads are untrusted: no HTML from a
// sender is ever inserted unsanitized, links only keep http(s) and mailto
// URLs and open in a new tab without an opener or a referrer, and the page's
// Content-Security-Policy refuses inline script besides.
import { hostConfig } from './hostconfig.js';
import { h, toast } from './ui.js';

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

// safeURL returns url if it is an absolute http, https or mailto URL.
export function safeURL(url) {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url.trim());
    return SAFE_SCHEMES.has(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

const PURIFY = {
  ALLOWED_TAGS: ['a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
    'i', 'li', 'ol', 'p', 'pre', 's', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul'],
  ALLOWED_ATTR: ['href', 'title'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  KEEP_CONTENT: true,
  RETURN_TRUSTED_TYPE: false,
};

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

let md = null;
let ready = false;

// setup wires the vendored libraries together, once.
function setup() {
  if (ready) return;
  const AC = window.AdaptiveCards;
  if (!AC || !window.marked || !window.DOMPurify) throw new Error('The card renderer did not load.');
  // Markdown: raw HTML in card text is shown as text (Teams does not render
  // it either), and images become links, so a card cannot load pictures
  // through its text.
  md = new window.marked.Marked({ gfm: true, breaks: true, async: false });
  md.use({
    renderer: {
      html(token) { return escapeHTML(token.text); },
      image(token) {
        const href = safeURL(token.href);
        const label = escapeHTML(token.text || token.href || '');
        return href ? `<a href="${escapeHTML(href)}">${label}</a>` : label;
      },
    },
  });
  window.DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') fixLink(node);
  });
  AC.GlobalRegistry.actions.register('Action.Http', AC.HttpAction);
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = renderMarkdown(text);
    result.didProcess = true;
  };
  if (AC.GlobalSettings) AC.GlobalSettings.setTabIndexAtCardRoot = false;
  ready = true;
}

// renderMarkdown turns card text into sanitized HTML.
export function renderMarkdown(text) {
  setup();
  const html = md.parse(String(text ?? ''));
  return window.DOMPurify.sanitize(html, PURIFY);
}

// fixLink keeps a link only if its URL is safe, and makes it open in a new
// tab that cannot reach back to Herald.
function fixLink(a) {
  const href = safeURL(a.getAttribute('href'));
  if (!href) {
    a.removeAttribute('href');
    a.removeAttribute('target');
    return;
  }
  a.setAttribute('href', href);
  a.setAttribute('target', '_blank');
  a.setAttribute('rel', 'noopener noreferrer');
}

// harden goes over a rendered card: links as above, and anything
// script-like removed, whatever produced it.
function harden(root) {
  for (const n of root.querySelectorAll('script, iframe, object, embed, frame, frameset, base, link, meta, style')) n.remove();
  for (const n of root.querySelectorAll('*')) {
    for (const attr of [...n.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name === 'srcdoc' || name === 'formaction') n.removeAttribute(attr.name);
      else if ((name === 'src' || name === 'href' || name === 'xlink:href' || name === 'action') && /^\s*(javascript|vbscript|data:text)/i.test(attr.value)) {
        n.removeAttribute(attr.name);
      }
    }
  }
  for (const a of root.querySelectorAll('a')) fixLink(a);
}

function onAction(action) {
  const type = action.getJsonTypeName();
  if (type === 'Action.OpenUrl') {
    const url = safeURL(action.url);
    if (url) window.open(url, '_blank', 'noopener,noreferrer');
    else toast('This button has a link Herald does not open.', 'error');
  } else if (type === 'Action.Http') {
    toast('This button calls the sender back (Action.Http). Herald does not make such calls yet.', 'info');
  } else if (type === 'Action.Submit' || type === 'Action.Execute') {
    toast('Cards posted to a webhook cannot submit data.', 'info');
  }
}

// renderCard renders an Adaptive Card (a parsed JSON object) into an element.
// A card that cannot be rendered shows fallback text instead.
export function renderCard(card, fallbackText) {
  try {
    setup();
    const AC = window.AdaptiveCards;
    const ac = new AC.AdaptiveCard();
    ac.hostConfig = new AC.HostConfig(hostConfig);
    ac.onExecuteAction = onAction;
    const json = { ...card };
    delete json.herald; // Herald's own data (theme colour, sender)
    ac.parse(json);
    const el = ac.render();
    if (!el) throw new Error('nothing rendered');
    harden(el);
    // Links inside cards the renderer adds later (a ShowCard opening) get
    // the same treatment.
    new MutationObserver(() => harden(el)).observe(el, { childList: true, subtree: true });
    return el;
  } catch (err) {
    console.warn('herald: card not rendered:', err);
    return h('div', { class: 'card-fallback' },
      h('p', { text: fallbackText || '' }),
      h('p', { class: 'muted small', text: 'This card could not be displayed.' }));
  }
}

// themeColor returns a card's accent colour (#RRGGBB) if it has one.
export function themeColor(card) {
  const c = card && card.herald && card.herald.themeColor;
  return typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c) ? c : null;
}

// sender returns the name and icon a Slack-style payload asked to show.
export function sender(card) {
  const s = card && card.herald && card.herald.sender;
  if (!s || typeof s !== 'object') return null;
  const name = typeof s.name === 'string' ? s.name.trim().slice(0, 80) : '';
  const icon = safeURL(s.iconUrl);
  return name || icon ? { name, icon: icon && icon.startsWith('https:') ? icon : null } : null;
}
