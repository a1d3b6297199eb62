// A channel's stream: newest at the bottom, older messages loaded on scroll
// up, new ones live through Server-Sent Events. After a network drop the
// browser's EventSource reconnects with Last-Event-ID and the server replays
// what was missed; messages are deduplicated by id.
import { api, seg } from '../api.js';
import { h, clear, setMain, showPageError, timeEl, avatar } from '../ui.js';
import { boot, channelHeader } from '../shell.js';
import { renderCard, themeColor, sender } from '../cards.js';

const PAGE = 30;
const channelID = document.body.dataset.id;

const state = {
  channel: null,
  team: null,
  connections: new Map(), // id -> connection
  byID: new Map(), // message id -> element
  oldestID: 0,
  lastSeq: 0,
  hasMore: true,
  loadingOlder: false,
  pinned: true, // the view follows new messages while scrolled to the bottom
  es: null,
  retry: 1000,
  unseen: 0,
};

let stream, list, top, statusEl, jump;

async function main() {
  try {
    state.channel = await api('GET', `/channels/${seg(channelID)}`);
    const [, team, , first] = await Promise.all([
      boot({ teamId: state.channel.team_id, channelId: channelID }),
      api('GET', `/teams/${seg(state.channel.team_id)}`),
      loadConnections(),
      api('GET', `/channels/${seg(channelID)}/messages?limit=${PAGE}`),
    ]);
    state.team = team;
    draw();
    showInitial(first);
    follow();
  } catch (err) {
    showPageError(err);
  }
}

async function loadConnections() {
  const r = await api('GET', `/channels/${seg(channelID)}/connections`);
  state.connections = new Map((r.connections || []).map((c) => [c.id, c]));
}

function draw() {
  const { channel, team } = state;
  statusEl = h('span', { class: 'live-status', id: 'live-status', role: 'status', dataset: { state: 'connecting' }, text: 'Connecting…' });
  top = h('div', { class: 'stream-top' });
  list = h('ol', { class: 'messages', id: 'messages', 'aria-label': 'Messages' });
  stream = h('div', { class: 'stream', id: 'stream', tabindex: '0', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': `Messages in ${channel.name}` }, top, list);
  jump = h('button', { type: 'button', class: 'jump button primary', hidden: true, onClick: () => scrollToBottom(true) }, 'New messages ↓');
  setMain(`#${channel.name} · ${team.name}`,
    h('div', { class: 'channel-page' },
      channelHeader(channel, team, 'posts'),
      h('div', { class: 'stream-bar' }, statusEl),
      h('div', { class: 'stream-wrap' }, stream, jump)));
  stream.addEventListener('scroll', onScroll, { passive: true });
  // Cards change height as their images load; stay at the bottom if there.
  new ResizeObserver(() => { if (state.pinned) scrollToBottom(false); }).observe(list);
}

function showInitial(r) {
  const msgs = (r.messages || []).slice().reverse(); // oldest first
  for (const m of msgs) add(m, 'append');
  state.hasMore = (r.messages || []).length === PAGE;
  drawTop();
  scrollToBottom(false);
  // A short channel may not fill the view: nothing to scroll, so load more.
  maybeLoadOlder();
}

function drawTop() {
  clear(top);
  if (state.hasMore) {
    top.append(h('button', { type: 'button', class: 'button subtle', id: 'load-older', onClick: loadOlder }, 'Show older messages'));
  } else if (state.byID.size === 0) {
    const canManage = state.team.can && state.team.can.manage_connectors;
    top.append(h('div', { class: 'empty' },
      h('p', { class: 'empty-title', text: 'No messages yet' }),
      h('p', { class: 'muted' }, 'Connectors bring updates from other services into this channel. ',
        canManage ? h('a', { href: `/channels/${seg(channelID)}/connectors`, text: 'Add a connector' }) : 'A team owner can add one.')));
  } else {
    top.append(h('p', { class: 'muted small stream-start', text: `This is the beginning of #${state.channel.name}.` }));
  }
}

// The view stops following new messages only when the reader scrolls up,
// not when content grows below (a card's images loading).
let lastTop = 0;
function onScroll() {
  const gap = stream.scrollHeight - stream.scrollTop - stream.clientHeight;
  if (gap < 60) {
    state.pinned = true;
    state.unseen = 0;
    jump.hidden = true;
  } else if (stream.scrollTop < lastTop - 2) {
    state.pinned = false;
  }
  lastTop = stream.scrollTop;
  if (stream.scrollTop < 200) maybeLoadOlder();
}

function maybeLoadOlder() {
  if (state.hasMore && !state.loadingOlder && (stream.scrollTop < 200 || stream.scrollHeight <= stream.clientHeight)) loadOlder();
}

async function loadOlder() {
  if (state.loadingOlder || !state.hasMore) return;
  state.loadingOlder = true;
  const btn = document.getElementById('load-older');
  if (btn) { btn.disabled = true; btn.textContent = 'Loading…'; }
  try {
    const before = state.oldestID ? `&before=${state.oldestID}` : '';
    const r = await api('GET', `/channels/${seg(channelID)}/messages?limit=${PAGE}${before}`);
    const msgs = r.messages || []; // newest first
    // Keep what the reader sees in place while older messages go above it.
    const fromBottom = stream.scrollHeight - stream.scrollTop;
    for (const m of msgs) add(m, 'prepend');
    state.hasMore = msgs.length === PAGE;
    drawTop();
    stream.scrollTop = stream.scrollHeight - fromBottom;
    lastTop = stream.scrollTop;
  } catch (err) {
    clear(top).append(h('p', { class: 'notice error', role: 'alert', text: err.message }),
      h('button', { type: 'button', class: 'button', id: 'load-older', onClick: loadOlder }, 'Try again'));
  } finally {
    state.loadingOlder = false;
  }
  if (state.hasMore && stream.scrollHeight <= stream.clientHeight) loadOlder();
}

// add puts a message in the list once, in seq order.
function add(m, where) {
  if (!m || state.byID.has(m.id)) return false;
  const el = messageEl(m);
  state.byID.set(m.id, el);
  if (!state.oldestID || m.id < state.oldestID) state.oldestID = m.id;
  if (m.seq > state.lastSeq) state.lastSeq = m.seq;
  if (where === 'prepend') {
    list.prepend(el);
  } else {
    // Live messages come in seq order; after a reconnect an earlier one
    // may still arrive late.
    let after = list.lastElementChild;
    while (after && Number(after.dataset.seq) > m.seq) after = after.previousElementSibling;
    if (after) after.after(el); else list.prepend(el);
  }
  return true;
}

// author is who a message shows as: its connection's name and picture (or
// its connector's icon), or the sender a Slack-style payload names, "via"
// the connection.
function author(m, card) {
  const c = state.connections.get(m.connection_id);
  const name = c ? c.name : 'Removed connector';
  const image = c ? (c.image_url || `/api/v1/connectors/${seg(c.connector)}/icon`) : null;
  const s = sender(card);
  if (s && s.name) return { name: s.name, image: s.icon || image, via: name };
  return { name, image, via: null };
}

function messageEl(m) {
  let card = m.card;
  if (typeof card === 'string') {
    try { card = JSON.parse(card); } catch { card = null; }
  }
  const who = author(m, card);
  const cardEl = card ? renderCard(card, m.summary) : h('p', { text: m.summary || '' });
  const body = h('div', { class: 'card-host' }, cardEl);
  const color = themeColor(card);
  if (color) {
    body.classList.add('themed');
    body.style.borderTopColor = color; // CSSOM, allowed by the page's CSP
  }
  const headID = `m-${m.id}-head`;
  return h('li', { class: 'message', id: `m-${m.id}`, dataset: { id: m.id, seq: m.seq, connection: m.connection_id || '' } },
    avatar(who.name, who.image),
    h('article', { class: 'bubble', 'aria-labelledby': headID },
      h('header', { class: 'message-head', id: headID },
        h('span', { class: 'author', text: who.name }),
        who.via ? h('span', { class: 'via muted small', text: `via ${who.via}` }) : null,
        timeEl(m.created_at, 'when muted small')),
      body));
}

function scrollToBottom(smooth) {
  stream.scrollTo({ top: stream.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  lastTop = stream.scrollTop;
  state.pinned = true;
  state.unseen = 0;
  jump.hidden = true;
}

function setStatus(s, text) {
  statusEl.dataset.state = s;
  statusEl.textContent = text;
}

// follow opens the live stream from the newest message shown. The browser
// reconnects by itself after a drop (sending Last-Event-ID); if it gives up
// (the server answered with an error), follow starts over after a pause.
function follow() {
  if (state.es) state.es.close();
  const es = new EventSource(`/api/v1/channels/${seg(channelID)}/events?last_event_id=${state.lastSeq}`);
  state.es = es;
  es.addEventListener('open', () => {
    state.retry = 1000;
    setStatus('live', 'Live');
  });
  es.addEventListener('message', (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch { return; }
    if (m.connection_id && !state.connections.has(m.connection_id)) {
      // A connection added since the page loaded: learn its name.
      loadConnections().catch(() => {}).finally(() => addLive(m));
      return;
    }
    addLive(m);
  });
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) {
      setStatus('offline', 'Offline, retrying…');
      const wait = state.retry;
      state.retry = Math.min(state.retry * 2, 30000);
      setTimeout(async () => {
        // A 401 means the session ended: api() sends the browser to sign in.
        try { await api('GET', '/me'); } catch { /* retry anyway */ }
        follow();
      }, wait);
    } else {
      setStatus('reconnecting', 'Reconnecting…');
    }
  });
}

function addLive(m) {
  const wasPinned = state.pinned;
  if (!add(m, 'append')) return;
  if (state.byID.size === 1) drawTop();
  if (wasPinned) {
    scrollToBottom(false);
  } else {
    state.unseen++;
    jump.hidden = false;
    jump.textContent = state.unseen === 1 ? '1 new message ↓' : `${state.unseen} new messages ↓`;
  }
}

main();
