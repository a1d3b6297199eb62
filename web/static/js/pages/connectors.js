// A channel's Connectors page (Teams: Manage channel > Connectors): the
// connections configured in the channel, with their state and deliveries,
// Manage (rename, image, URLs, Update URL) and Remove; and the catalog, with
// a search box, to add one. Feed (polling) connections show their feed's
// state instead of URLs, and Refresh now. Buttons show only for people who
// may use them.
import { api, seg, APIError } from '../api.js';
import {
  h, clear, setMain, showPageError, formatDateTime, timeEl, avatar, dialog, confirm, copyField, field, busy, formError, toast,
} from '../ui.js';
import { boot, channelHeader } from '../shell.js';

const channelID = document.body.dataset.id;
const MAX_IMAGE = 256 * 1024;
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif'];
// The intervals a feed may be polled at (the server takes 1m to 24h).
const INTERVALS = [['5m', 'Every 5 minutes'], ['15m', 'Every 15 minutes'], ['30m', 'Every 30 minutes'],
  ['1h', 'Every hour'], ['6h', 'Every 6 hours'], ['24h', 'Every day']];
const DEFAULT_INTERVAL = '15m';
const MAX_FIRST_ITEMS = 20;

const state = { channel: null, team: null, connectors: [], connections: [], query: '' };
let configuredEl, catalogEl;

const canManage = () => Boolean(state.team && state.team.can && state.team.can.manage_connectors);

async function main() {
  try {
    state.channel = await api('GET', `/channels/${seg(channelID)}`);
    const [, team, cat] = await Promise.all([
      boot({ teamId: state.channel.team_id, channelId: channelID }),
      api('GET', `/teams/${seg(state.channel.team_id)}`),
      api('GET', '/connectors'),
    ]);
    state.team = team;
    state.connectors = cat.connectors || [];
    draw();
    await refresh();
  } catch (err) {
    showPageError(err);
  }
}

async function refresh() {
  const r = await api('GET', `/channels/${seg(channelID)}/connections`);
  state.connections = r.connections || [];
  drawConfigured();
}

// Feeds are polled by the server on their own schedule, so the list is read
// again when something is due: a little after the earliest next poll, and
// while a feed waits for its first poll (or is overdue) soon, backing off
// from 1 s to 30 s.
let refreshTimer = 0;
let dueRounds = 0;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const feeds = state.connections.filter(isFeed);
  if (!feeds.length) return;
  const next = Math.min(...feeds.map((c) => Date.parse(feedOf(c).next_poll_at)).filter((t) => !isNaN(t)));
  let delay;
  if (feeds.some((c) => !feedOf(c).last_poll_at) || next <= Date.now()) {
    delay = Math.min(1000 * 1.5 ** dueRounds, 30000);
    dueRounds++;
  } else if (isFinite(next)) {
    dueRounds = 0;
    delay = Math.min(next - Date.now() + 3000, 6 * 3600 * 1000);
  } else {
    return;
  }
  refreshTimer = setTimeout(() => {
    refresh().catch(() => { refreshTimer = setTimeout(scheduleRefresh, 30000); });
  }, delay);
}

function draw() {
  const { channel, team } = state;
  configuredEl = h('div', { id: 'configured' });
  catalogEl = h('ul', { class: 'catalog', id: 'catalog' });
  const search = h('input', { id: 'connector-search', type: 'search', placeholder: 'Search connectors', autocomplete: 'off' });
  search.addEventListener('input', () => { state.query = search.value.trim().toLowerCase(); drawCatalog(); });
  const notices = [];
  if (!team.connectors_enabled) {
    notices.push(h('p', { class: 'notice warning', role: 'note', text: 'Connectors are turned off for this team: webhook posts are refused until a team owner turns them back on in the team settings.' }));
  }
  if (!canManage()) {
    notices.push(h('p', { class: 'notice', role: 'note', text: roleNote(team) }));
  }
  setMain(`Connectors · #${channel.name}`,
    h('div', { class: 'page connectors-page' },
      channelHeader(channel, team, 'connectors'),
      notices,
      h('section', { class: 'panel', 'aria-labelledby': 'configured-title' },
        h('h2', { id: 'configured-title', text: 'Configured' }),
        configuredEl),
      h('section', { class: 'panel', 'aria-labelledby': 'catalog-title' },
        h('div', { class: 'panel-head' },
          h('h2', { id: 'catalog-title', text: canManage() ? 'Add a connector' : 'Connectors' }),
          h('div', { class: 'search' }, h('label', { for: 'connector-search', class: 'visually-hidden', text: 'Search connectors' }), search)),
        catalogEl)));
  drawCatalog();
}

function roleNote(team) {
  if (team.role === 'guest') return 'Guests can see this channel\'s connectors but cannot add, change or remove them.';
  if (team.role === 'member') return 'In this team only owners manage connectors; ask a team owner.';
  return 'You cannot manage connectors in this team.';
}

function connectorOf(id) {
  return state.connectors.find((x) => x.id === id) || null;
}

function connectorName(id) {
  const c = connectorOf(id);
  return c ? c.name : id;
}

// iconURL keeps only Herald's own icon URLs (same origin).
function iconURL(cn) {
  return cn && typeof cn.icon_url === 'string' && cn.icon_url.startsWith('/') && !cn.icon_url.startsWith('//') ? cn.icon_url : null;
}

// drawConfigured redraws the list (keeping focus on the same button if it
// was in the list), updates the open feed views, and plans the next read.
function drawConfigured() {
  const focused = document.activeElement;
  const row = focused && configuredEl.contains(focused) ? focused.closest('li.connection') : null;
  const refocus = row && focused.dataset.action ? { id: row.dataset.id, action: focused.dataset.action } : null;
  clear(configuredEl);
  if (!state.connections.length) {
    configuredEl.append(h('p', { class: 'muted', text: 'No connectors are configured in this channel yet.' }));
  } else {
    const ul = h('ul', { class: 'connections' });
    for (const c of state.connections) ul.append(connectionRow(c));
    configuredEl.append(ul);
  }
  if (refocus) {
    const again = [...configuredEl.querySelectorAll('li.connection')].find((li) => li.dataset.id === refocus.id);
    const button = again && again.querySelector(`button[data-action="${refocus.action}"]`);
    if (button) button.focus();
  }
  for (const v of liveViews) {
    if (!v.el.isConnected) { liveViews.delete(v); continue; }
    const c = state.connections.find((x) => x.id === v.id);
    if (!c) continue;
    const n = v.draw(c);
    clear(v.el);
    if (n) v.el.append(n);
  }
  scheduleRefresh();
}

// setConnection puts a connection the API answered with into the list.
function setConnection(c) {
  const i = state.connections.findIndex((x) => x.id === c.id);
  if (i >= 0) state.connections[i] = c;
  else state.connections.push(c);
  drawConfigured();
}

function reasons(c) {
  const list = Array.isArray(c.attention_reasons) ? c.attention_reasons : [];
  return list.map((r) => (typeof r === 'string' ? r : (r && (r.message || r.reason)) || JSON.stringify(r)));
}

function connectionRow(c) {
  const attention = c.attention_required === true;
  const feed = isFeed(c);
  const last = c.last_delivery_at ? `Last delivery ${formatDateTime(c.last_delivery_at)}` : 'No deliveries yet';
  const count = Number(c.delivered_count || 0);
  const paused = !state.team.connectors_enabled || (feed && feedOf(c).last_status === 'paused');
  const stateBadge = attention
    ? h('span', { class: 'badge warning', text: 'Attention required' })
    : h('span', { class: 'badge good', text: paused ? 'Paused' : 'Active' });
  const rs = reasons(c);
  const actions = canManage() ? h('div', { class: 'row-actions' },
    feed ? refreshButton(c, `Refresh ${c.name} now`) : null,
    h('button', { type: 'button', class: 'button', dataset: { action: 'manage' }, 'aria-label': `Manage ${c.name}`, onClick: () => manage(c) }, 'Manage'),
    h('button', { type: 'button', class: 'button danger-outline', dataset: { action: 'remove' }, 'aria-label': `Remove ${c.name}`, onClick: () => remove(c) }, 'Remove')) : null;
  return h('li', { class: 'connection' + (attention ? ' attention' : ''), dataset: { id: c.id } },
    avatar(c.name, c.image_url || iconURL(connectorOf(c.connector)), 40),
    h('div', { class: 'connection-main' },
      h('div', { class: 'connection-title' }, h('span', { class: 'connection-name', text: c.name }), stateBadge),
      feed ? feedSummary(c) : h('p', { class: 'muted small' }, connectorName(c.connector), ' · ', last, ' · ',
        h('span', { class: 'delivered', text: count === 1 ? '1 message' : `${count} messages` })),
      rs.length ? h('ul', { class: 'attention-reasons' }, rs.map((r) => h('li', { text: r }))) : null),
    actions);
}

// Feed connections.

function isFeed(c) {
  const cn = connectorOf(c.connector);
  return Boolean(cn && cn.kind === 'polling');
}

function feedOf(c) {
  return c.feed && typeof c.feed === 'object' ? c.feed : {};
}

function configOf(c) {
  return c.config && typeof c.config === 'object' ? c.config : {};
}

// feedStatus says in words how the last poll went.
function feedStatus(c) {
  const f = feedOf(c);
  const why = typeof f.last_error === 'string' && f.last_error ? f.last_error : '';
  switch (f.last_status) {
    case 'ok': {
      const n = Number(f.last_posted) || 0;
      if (n === 0) return { status: 'ok', kind: 'good', text: 'Up to date' };
      return { status: 'ok', kind: 'good', text: n === 1 ? '1 new item posted' : `${n} new items posted` };
    }
    case 'not_modified': return { status: 'not_modified', kind: 'good', text: 'Up to date' };
    case 'error': return { status: 'error', kind: 'error', text: `Failed: ${why || 'the feed could not be read'}` };
    case 'paused': return { status: 'paused', kind: 'warning', text: `Paused: ${why || 'connectors are turned off'}` };
    default: return { status: 'waiting', kind: 'muted', text: 'Waiting for the first poll' };
  }
}

// durationWords turns a Go duration ("15m0s", "1h0m0s") into words.
function durationWords(s) {
  const secs = seconds(s);
  if (Number.isNaN(secs)) return String(s || '');
  const plural = (n, unit) => (n === 1 ? `1 ${unit}` : `${n} ${unit}s`);
  if (secs === 24 * 3600) return 'day';
  if (secs === 3600) return 'hour';
  if (secs % 3600 === 0) return plural(secs / 3600, 'hour');
  if (secs % 60 === 0) return plural(secs / 60, 'minute');
  return plural(secs, 'second');
}

function itemsPosted(c) {
  const n = Number(feedOf(c).items_posted || 0);
  return h('span', { class: 'items-posted', dataset: { count: String(n) }, text: n === 1 ? '1 item posted' : `${n} items posted` });
}

// feedSummary is a feed connection's line in the Configured list.
function feedSummary(c) {
  const f = feedOf(c);
  const st = feedStatus(c);
  const interval = configOf(c).interval;
  return h('div', { class: 'feed-summary' },
    h('p', { class: 'muted small' }, connectorName(c.connector), ' · ',
      h('span', { class: 'feed-title', text: f.title || configOf(c).url || '' }),
      interval ? ` · every ${durationWords(interval)}` : ''),
    h('p', { class: 'small feed-status', dataset: { status: st.status, polls: String(Number(f.polls || 0)) } },
      h('span', { class: 'status-dot ' + st.kind, 'aria-hidden': 'true' }),
      h('span', { class: 'visually-hidden', text: 'Last poll: ' }),
      h('span', { class: 'status-text', text: st.text }),
      f.last_poll_at ? [' · ', timeEl(f.last_poll_at)] : null,
      ' · ', itemsPosted(c),
      f.next_poll_at ? [' · next poll ', timeEl(f.next_poll_at)] : null));
}

// feedLink shows a feed's address, as a link when it is http(s).
function feedLink(url) {
  const u = String(url || '');
  let ok = false;
  try { ok = ['http:', 'https:'].includes(new URL(u).protocol); } catch { ok = false; }
  return ok ? h('a', { href: u, target: '_blank', rel: 'noopener noreferrer', class: 'mono feed-url', text: u })
    : h('span', { class: 'mono feed-url', text: u });
}

// feedFacts is what the Manage view shows of a feed instead of URLs.
function feedFacts(c) {
  const f = feedOf(c);
  const cfg = configOf(c);
  const st = feedStatus(c);
  const row = (label, ...value) => [h('dt', { text: label }), h('dd', {}, ...value)];
  return h('dl', { class: 'facts feed-facts' },
    row('Feed', feedLink(cfg.url)),
    row('Title', f.title ? h('span', { class: 'feed-title', text: f.title }) : h('span', { class: 'muted', text: 'Not known before the first poll' })),
    row('Checked', cfg.interval ? `every ${durationWords(cfg.interval)}` : ''),
    row('Last poll', h('span', { class: 'feed-status', dataset: { status: st.status } },
      h('span', { class: 'status-dot ' + st.kind, 'aria-hidden': 'true' }),
      h('span', { class: 'status-text', text: st.text }),
      f.last_poll_at ? [' · ', timeEl(f.last_poll_at)] : null)),
    st.status === 'ok' && f.last_error ? row('Note', h('span', { text: f.last_error })) : null,
    row('Next poll', f.next_poll_at ? timeEl(f.next_poll_at) : h('span', { class: 'muted', text: st.status === 'waiting' ? 'Now' : 'Not planned' })),
    row('Items posted', itemsPosted(c)));
}

// liveViews are parts of open dialogs that show a connection's state: drawn
// again with the list, as feeds are polled.
const liveViews = new Set();

function live(c, cls, draw) {
  const el = h('div', { class: cls }, draw(c));
  liveViews.add({ id: c.id, el, draw });
  return el;
}

function liveFeedFacts(c) {
  return live(c, 'feed-view', feedFacts);
}

function attentionNotice(c) {
  if (!c.attention_required) return null;
  const rs = reasons(c);
  return h('div', { class: 'notice warning', role: 'note' },
    h('strong', { text: 'Attention required' }), rs.length ? h('ul', {}, rs.map((r) => h('li', { text: r }))) : null);
}

// refreshButton polls a feed now ("Refresh now") and redraws with the answer.
function refreshButton(c, label, out) {
  const b = h('button', { type: 'button', class: 'button', dataset: { action: 'refresh' }, 'aria-label': label || null }, 'Refresh now');
  b.addEventListener('click', async () => {
    await busy(b, async () => {
      if (out) clear(out);
      try {
        const nc = await api('POST', `/connections/${seg(c.id)}/poll`);
        setConnection(nc);
        const st = feedStatus(nc);
        const said = `${nc.name}: ${st.text}`;
        if (out) out.append(h('p', { class: 'notice ' + (st.kind === 'muted' ? '' : st.kind), text: said }));
        else toast(said, st.status === 'error' ? 'error' : 'info');
      } catch (err) {
        if (out) out.append(h('p', { class: 'notice error', role: 'alert', text: err.message }));
        else toast(err.message, 'error');
      }
    });
    // The list was drawn again (and a busy button may have lost focus):
    // keep focus on Refresh now.
    if (!document.activeElement || document.activeElement === document.body) {
      const row = [...configuredEl.querySelectorAll('li.connection')].find((li) => li.dataset.id === c.id);
      const target = b.isConnected ? b : row && row.querySelector('button[data-action="refresh"]');
      if (target) target.focus();
    }
  });
  return b;
}

function drawCatalog() {
  clear(catalogEl);
  const q = state.query;
  // Connectors that can be added first, the retired ones after them.
  const items = state.connectors
    .filter((c) => !q || c.name.toLowerCase().includes(q) || (c.description || '').toLowerCase().includes(q))
    .sort((a, b) => Number(Boolean(a.retired)) - Number(Boolean(b.retired)));
  if (!items.length) {
    catalogEl.append(h('li', { class: 'muted', text: 'No connector matches your search.' }));
    return;
  }
  for (const c of items) {
    const add = canManage() && !c.retired
      ? h('button', { type: 'button', class: 'button primary', dataset: { action: 'add', connector: c.id }, 'aria-label': `Add ${c.name}`, onClick: () => addConnection(c) }, 'Add')
      : null;
    catalogEl.append(h('li', { class: 'catalog-item' + (c.retired ? ' retired' : ''), dataset: { connector: c.id } },
      avatar(c.name, iconURL(c), 40),
      h('div', { class: 'catalog-main' },
        h('div', { class: 'connection-title' },
          h('span', { class: 'connection-name', text: c.name }),
          c.retired ? h('span', { class: 'badge muted-badge', text: 'Retired' }) : null,
          c.kind === 'polling' ? h('span', { class: 'badge kind', text: 'Polls a source' }) : null),
        h('p', { class: 'muted small', text: c.description }),
        c.retired && !/retired/i.test(c.description || '') ? h('p', { class: 'small', text: 'Retired: it accepts no new connections; existing ones keep working.' }) : null),
      add));
  }
}

// imagePicker is a file input for a connection's picture, checked here as
// the server checks it (PNG, JPEG or GIF, at most 256 KB).
function imagePicker(id, label = 'Image (optional)') {
  const input = h('input', { id, type: 'file', accept: IMAGE_TYPES.join(',') });
  const f = field(label, input, 'PNG, JPEG or GIF, up to 256 KB. It shows beside this connector\'s messages.');
  return {
    el: f,
    input,
    file() {
      const file = input.files && input.files[0];
      if (!file) return null;
      if (!IMAGE_TYPES.includes(file.type)) throw new Error('The image must be a PNG, JPEG or GIF.');
      if (file.size > MAX_IMAGE) throw new Error('The image is over 256 KB; choose a smaller one.');
      return file;
    },
  };
}

// settingsFields are the inputs a connector takes besides its name: for a
// third-party service the events to post, a branch filter and the secret it
// signs deliveries with; for the generic JSON connector its card template.
function settingsFields(cn) {
  if (cn.id === 'incoming-webhook') return { els: [], read: () => ({}) };
  if (cn.kind === 'polling') return feedFields();
  const secret = h('input', { id: 'connection-secret', type: 'password', autocomplete: 'new-password', spellcheck: 'false' });
  const secretField = field('Secret (optional)', secret, 'The secret the service signs its deliveries with; unsigned deliveries are then refused. It is never shown again.');
  const withSecret = (cfg) => (secret.value ? { ...cfg, secret: secret.value } : cfg);
  if (cn.id === 'generic') {
    const title = h('input', { id: 'template-title', type: 'text', required: true, class: 'mono', placeholder: '{{.check}} is {{.state}}', autocomplete: 'off' });
    const text = h('input', { id: 'template-text', type: 'text', class: 'mono', placeholder: '{{.output}}', autocomplete: 'off' });
    const link = h('input', { id: 'template-link', type: 'text', class: 'mono', placeholder: '{{.url}}', autocomplete: 'off' });
    return {
      els: [
        h('p', { class: 'small', text: 'Templates pick fields of the JSON the service posts, as Go templates: {{.name}}, {{.alert.state}}.' }),
        field('Title template', title), field('Text template (optional)', text), field('Link template (optional)', link), secretField,
      ],
      read() {
        if (!title.value.trim()) throw new Error('The title template is needed.');
        const t = { title: title.value.trim() };
        if (text.value.trim()) t.text = text.value.trim();
        if (link.value.trim()) t.link = link.value.trim();
        return withSecret({ config: { template: t } });
      },
    };
  }
  const events = (Array.isArray(cn.events) ? cn.events : []).filter((e) => typeof e === 'string');
  const boxes = events.map((e, i) => h('label', { class: 'check' }, h('input', { type: 'checkbox', id: `event-${i}`, value: e }), ' ', e));
  const branches = h('input', { id: 'connection-branches', type: 'text', placeholder: 'main,release/*', autocomplete: 'off' });
  return {
    els: [
      events.length ? h('fieldset', { class: 'events' }, h('legend', { text: 'Events to post (none checked: all)' }), h('div', { class: 'checks' }, boxes)) : null,
      field('Branches (optional)', branches, 'Comma-separated names or globs, for events about a branch.'),
      secretField,
    ],
    read() {
      const cfg = {};
      const picked = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      if (picked.length) cfg.events = picked;
      if (branches.value.trim()) cfg.branches = branches.value.trim();
      return withSecret(Object.keys(cfg).length ? { config: cfg } : {});
    },
  };
}

// seconds reads a duration as the API writes it ("15m0s", "1h0m0s") or as
// the form offers it ("15m", "24h"); NaN when it is neither.
function seconds(s) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(String(s || ''));
  if (!s || !m) return NaN;
  return Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0);
}

// feedFields are a feed connection's settings: the feed's address, how often
// to poll it, and how many items the first poll posts. cfg fills them in
// (Manage); prefix keeps the ids of two forms apart.
function feedFields(cfg = {}, prefix = 'feed') {
  const url = h('input', { id: `${prefix}-url`, type: 'url', required: true, class: 'mono', placeholder: 'https://example.com/feed.xml', autocomplete: 'off', spellcheck: 'false', value: cfg.url || '' });
  const current = cfg.interval ? seconds(cfg.interval) : seconds(DEFAULT_INTERVAL);
  const options = INTERVALS.slice();
  if (!options.some(([v]) => seconds(v) === current) && cfg.interval) {
    // An interval set through the API that the list does not offer.
    options.push([cfg.interval, `Every ${durationWords(cfg.interval)}`]);
  }
  const interval = h('select', { id: `${prefix}-interval` },
    options.map(([v, label]) => h('option', { value: v, selected: seconds(v) === current, text: label })));
  const first = h('input', { id: `${prefix}-first-items`, type: 'number', min: 1, max: MAX_FIRST_ITEMS, step: 1, inputmode: 'numeric', placeholder: '3', value: cfg.first_items ? String(cfg.first_items) : '' });
  return {
    els: [
      field('Feed URL', url, 'An RSS, Atom or JSON Feed address.'),
      h('div', { class: 'field-row' },
        field('Check the feed', interval),
        field('Items on the first poll (optional)', first, `How many of the newest items to post at first: 1 to ${MAX_FIRST_ITEMS}, 3 if empty. Later polls post every new item.`)),
    ],
    read() {
      if (!url.value.trim()) throw new Error('Give the feed\'s address.');
      const cfg = { url: url.value.trim(), interval: interval.value };
      if (first.value.trim() !== '') cfg.first_items = Number(first.value);
      else if (first.validity && first.validity.badInput) throw new Error('Items on the first poll is a number.');
      return { config: cfg };
    },
  };
}

function addConnection(cn) {
  const name = h('input', { id: 'connection-name', type: 'text', required: true, maxlength: 100, autocomplete: 'off', autofocus: true });
  const pic = imagePicker('connection-image');
  const settings = settingsFields(cn);
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary', text: 'Create' });
  const form = h('form', { class: 'form', id: 'add-form', novalidate: true },
    h('p', { class: 'muted', text: cn.description }),
    field('Name', name, 'Shown as the author of the messages it posts.'),
    settings.els, pic.el, err,
    h('div', { class: 'dialog-actions' }, submit));
  const d = dialog({ title: `Set up ${cn.name}`, content: form, className: 'wide' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      formError(err, null);
      try {
        if (!name.value.trim()) throw new Error('Give the connector a name.');
        const file = pic.file();
        const extra = settings.read();
        let c = await api('POST', `/channels/${seg(channelID)}/connections`, { connector: cn.id, name: name.value.trim(), ...extra });
        if (file) {
          try {
            await api('PUT', `/connections/${seg(c.id)}/image`, file);
            c = await api('GET', `/connections/${seg(c.id)}`);
          } catch (e2) {
            toast(`The connector was created, but its image was not saved: ${e2.message}`, 'error');
          }
        }
        await refresh();
        showCreated(d, c);
      } catch (e1) {
        formError(err, e1);
      }
    });
  });
}

// showCreated replaces the set-up form with the new URL to copy, or for a
// feed with its state (the first poll runs at once).
function showCreated(d, c) {
  const body = d.el.querySelector('.dialog-body');
  const done = h('button', { type: 'button', class: 'button primary', text: 'Done', onClick: d.close });
  const feed = isFeed(c);
  clear(body).append(h('div', { class: 'created', id: 'created' },
    h('p', { class: 'notice good', role: 'status', text: feed ? `${c.name} is set up. Herald reads the feed now, and its newest items appear in the channel in a moment.` : `${c.name} is set up.` }),
    feed ? liveFeedFacts(c) : urlFields(c, 'new'),
    h('div', { class: 'dialog-actions' }, done)));
  const input = body.querySelector('input');
  (input || done).focus();
}

function urlFields(c, prefix) {
  if (!c.webhook_url) {
    return h('p', { class: 'notice warning', text: c.url_note || 'This connector has no URL to show.' });
  }
  return h('div', { class: 'urls' },
    h('p', { class: 'small', text: 'Copy the URL below and give it to the service that posts to this channel. Anyone who has it can post here: keep it secret.' }),
    copyField('Webhook URL', c.webhook_url, `${prefix}-webhook-url`),
    c.slack_url ? h('details', { class: 'slack-url' },
      h('summary', { text: 'Slack-compatible URL' }),
      copyField('Slack-compatible URL', c.slack_url, `${prefix}-slack-url`)) : null);
}

function manage(c0) {
  let c = c0;
  const name = h('input', { id: 'manage-name', type: 'text', required: true, maxlength: 100, value: c.name, autocomplete: 'off' });
  const nameErr = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'button primary', text: 'Save name' });
  const nameForm = h('form', { class: 'form inline-form', novalidate: true }, field('Name', name), save, nameErr);
  nameForm.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, async () => {
      formError(nameErr, null);
      try {
        c = await api('PATCH', `/connections/${seg(c.id)}`, { name: name.value.trim() });
        toast('Name saved.');
        await refresh();
      } catch (err) {
        formError(nameErr, err);
      }
    });
  });

  const pic = imagePicker('manage-image', 'New image');
  const imgErr = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const preview = h('div', { class: 'image-preview' });
  const drawPreview = () => clear(preview).append(avatar(c.name, c.image_url ? c.image_url + '?v=' + Date.now() : iconURL(connectorOf(c.connector)), 48));
  drawPreview();
  const upload = h('button', { type: 'button', class: 'button', text: 'Upload image' });
  const dropImg = h('button', { type: 'button', class: 'button subtle', text: 'Remove image' });
  upload.addEventListener('click', () => busy(upload, async () => {
    formError(imgErr, null);
    try {
      const file = pic.file();
      if (!file) throw new Error('Choose an image first.');
      await api('PUT', `/connections/${seg(c.id)}/image`, file);
      c = await api('GET', `/connections/${seg(c.id)}`);
      drawPreview();
      toast('Image saved.');
      await refresh();
    } catch (err) {
      formError(imgErr, err);
    }
  }));
  dropImg.addEventListener('click', () => busy(dropImg, async () => {
    formError(imgErr, null);
    try {
      await api('DELETE', `/connections/${seg(c.id)}/image`);
      c = await api('GET', `/connections/${seg(c.id)}`);
      drawPreview();
      await refresh();
    } catch (err) {
      formError(imgErr, err);
    }
  }));

  let source;
  if (isFeed(c)) {
    // A feed has no URL to give anyone: its state instead, and Refresh now.
    const pollOut = h('div', { id: 'poll-result', role: 'status' });
    const settings = feedFields(configOf(c), 'manage-feed');
    const setErr = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const saveSettings = h('button', { type: 'submit', class: 'button', text: 'Save feed settings' });
    const setForm = h('form', { class: 'form', id: 'manage-feed-settings', novalidate: true }, settings.els, setErr,
      h('div', { class: 'button-row' }, saveSettings));
    setForm.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(saveSettings, async () => {
        formError(setErr, null);
        try {
          c = await api('PATCH', `/connections/${seg(c.id)}`, settings.read());
          setConnection(c);
          toast('Feed settings saved; Herald reads the feed again now.');
        } catch (err) {
          formError(setErr, err);
        }
      });
    });
    source = [
      h('section', { class: 'dialog-section', id: 'manage-feed' }, h('h3', { text: 'Feed' }), liveFeedFacts(c),
        h('div', { class: 'button-row' }, refreshButton(c, null, pollOut)), pollOut),
      h('section', { class: 'dialog-section' }, h('h3', { text: 'Settings' }), setForm),
    ];
  } else {
    const urlBox = h('div', { id: 'manage-urls' }, urlFields(c, 'manage'), oldURLInfo(c));
    const rotateOut = h('div', { id: 'rotate-result', role: 'status' });
    const rotate = h('button', { type: 'button', class: 'button', id: 'update-url', text: 'Update URL' });
    rotate.addEventListener('click', () => updateURL(c, rotate, urlBox, rotateOut).then((nc) => { if (nc) c = nc; }));
    source = h('section', { class: 'dialog-section' }, h('h3', { text: 'URL' }), urlBox,
      h('p', { class: 'hint', text: 'Update URL makes a new URL. The current one keeps working for 24 hours, then stops; it is never shown again.' }),
      h('div', { class: 'button-row' }, rotate), rotateOut);
  }

  dialog({
    title: `Manage ${c.name}`,
    className: 'wide manage',
    content: [
      live(c, 'manage-attention', attentionNotice),
      h('section', { class: 'dialog-section' }, nameForm),
      h('section', { class: 'dialog-section' }, h('h3', { text: 'Image' }),
        h('div', { class: 'image-row' }, preview, pic.el), h('div', { class: 'button-row' }, upload, c.image_url ? dropImg : null), imgErr),
      source,
      h('p', { class: 'muted small', text: `Created ${formatDateTime(c.created_at)} · ${Number(c.delivered_count || 0)} messages delivered` }),
    ],
  });
}

// oldURLInfo tells who still calls a replaced URL during its grace period.
function oldURLInfo(c) {
  const o = c.old_url;
  if (!o || typeof o !== 'object') return null;
  const callers = Array.isArray(o.callers) ? o.callers : [];
  const expired = new Date(o.expires_at) <= new Date();
  return h('div', { class: 'old-url' },
    h('p', { class: 'small' },
      h('strong', { text: 'Previous URL: ' }),
      expired ? `stopped ${formatDateTime(o.expires_at)}` : `works until ${formatDateTime(o.expires_at)}`,
      ` · ${Number(o.calls || 0)} calls since it was replaced`,
      o.last_used_at ? `, the last ${formatDateTime(o.last_used_at)}` : ''),
    callers.length ? h('ul', { class: 'small callers' }, callers.map((k) => h('li', {},
      h('code', { text: String(k.address || '') }), k.user_agent ? ` ${k.user_agent}` : '',
      k.last_seen ? h('span', { class: 'muted', text: ` · ${formatDateTime(k.last_seen)}` }) : null))) : null);
}

// updateURL rotates a webhook's URL (POST /connections/{id}/url), after a
// warning: the old URL is never shown again, so note it now.
async function updateURL(c, button, urlBox, out) {
  const old = c.webhook_url || '';
  const ok = await confirm({
    title: 'Update URL?',
    message: 'Herald makes a new URL for this connector. The current URL keeps working for 24 hours and then stops. After this, the current URL is never shown again: if you still need it, note it now.',
    extra: old ? copyField('Current URL', old, 'old-webhook-url') : null,
    confirmLabel: 'Update URL',
  });
  if (!ok) return null;
  clear(out);
  return busy(button, async () => {
    try {
      const nc = await api('POST', `/connections/${seg(c.id)}/url`, { grace: '24h' });
      clear(urlBox).append(urlFields(nc, 'rotated'), oldURLInfo(nc));
      out.dataset.result = 'updated';
      out.append(h('p', { class: 'notice good', text: 'The URL is updated. Give the new one to the service that posts here; the old one stops in 24 hours.' }));
      await refresh();
      const input = urlBox.querySelector('input');
      if (input) input.focus();
      return nc;
    } catch (err) {
      const missing = err instanceof APIError && (err.status === 405 || (err.status === 404 && /no api endpoint/i.test(err.message)));
      out.dataset.result = missing ? 'unavailable' : 'error';
      out.append(h('p', { class: 'notice ' + (missing ? 'warning' : 'error'), role: 'alert',
        text: missing ? 'Updating the URL is not available on this Herald server yet. The current URL keeps working.' : err.message }));
      return null;
    }
  });
}

async function remove(c) {
  const ok = await confirm({
    title: `Remove ${c.name}?`,
    message: isFeed(c)
      ? 'Herald stops reading its feed at once. The messages it posted stay in the channel.'
      : 'Its URL stops working at once: senders get "410 Gone". The messages it posted stay in the channel.',
    confirmLabel: 'Remove',
    danger: true,
  });
  if (!ok) return;
  try {
    await api('DELETE', `/connections/${seg(c.id)}`);
    toast(`${c.name} was removed.`);
    await refresh();
  } catch (err) {
    toast(err.message, 'error');
  }
}

main();
