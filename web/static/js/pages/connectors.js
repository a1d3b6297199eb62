// A channel's Connectors page (Teams: Manage channel > Connectors): the
// connections configured in the channel, with their state and deliveries,
// Manage (rename, image, URLs, Update URL) and Remove; and the catalog, with
// a search box, to add one. Buttons show only for people who may use them.
import { api, seg, APIError } from '../api.js';
import {
  h, clear, setMain, showPageError, formatDateTime, avatar, dialog, confirm, copyField, field, busy, formError, toast,
} from '../ui.js';
import { boot, channelHeader } from '../shell.js';

const channelID = document.body.dataset.id;
const MAX_IMAGE = 256 * 1024;
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif'];

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

function drawConfigured() {
  clear(configuredEl);
  if (!state.connections.length) {
    configuredEl.append(h('p', { class: 'muted', text: 'No connectors are configured in this channel yet.' }));
    return;
  }
  const ul = h('ul', { class: 'connections' });
  for (const c of state.connections) ul.append(connectionRow(c));
  configuredEl.append(ul);
}

function reasons(c) {
  const list = Array.isArray(c.attention_reasons) ? c.attention_reasons : [];
  return list.map((r) => (typeof r === 'string' ? r : (r && (r.message || r.reason)) || JSON.stringify(r)));
}

function connectionRow(c) {
  const attention = c.attention_required === true;
  const last = c.last_delivery_at ? `Last delivery ${formatDateTime(c.last_delivery_at)}` : 'No deliveries yet';
  const count = Number(c.delivered_count || 0);
  const stateBadge = attention
    ? h('span', { class: 'badge warning', text: 'Attention required' })
    : h('span', { class: 'badge good', text: state.team.connectors_enabled ? 'Active' : 'Paused' });
  const rs = reasons(c);
  const actions = canManage() ? h('div', { class: 'row-actions' },
    h('button', { type: 'button', class: 'button', dataset: { action: 'manage' }, 'aria-label': `Manage ${c.name}`, onClick: () => manage(c) }, 'Manage'),
    h('button', { type: 'button', class: 'button danger-outline', dataset: { action: 'remove' }, 'aria-label': `Remove ${c.name}`, onClick: () => remove(c) }, 'Remove')) : null;
  return h('li', { class: 'connection' + (attention ? ' attention' : ''), dataset: { id: c.id } },
    avatar(c.name, c.image_url || iconURL(connectorOf(c.connector)), 40),
    h('div', { class: 'connection-main' },
      h('div', { class: 'connection-title' }, h('span', { class: 'connection-name', text: c.name }), stateBadge),
      h('p', { class: 'muted small' }, connectorName(c.connector), ' · ', last, ' · ',
        h('span', { class: 'delivered', text: count === 1 ? '1 message' : `${count} messages` })),
      rs.length ? h('ul', { class: 'attention-reasons' }, rs.map((r) => h('li', { text: r }))) : null),
    actions);
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
    const add = canManage() && !c.retired && c.kind !== 'polling'
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

// showCreated replaces the set-up form with the new URL to copy.
function showCreated(d, c) {
  const body = d.el.querySelector('.dialog-body');
  const done = h('button', { type: 'button', class: 'button primary', text: 'Done', onClick: d.close });
  clear(body).append(h('div', { class: 'created', id: 'created' },
    h('p', { class: 'notice good', role: 'status', text: `${c.name} is set up.` }),
    urlFields(c, 'new'),
    h('div', { class: 'dialog-actions' }, done)));
  const input = body.querySelector('input');
  if (input) input.focus();
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

  const urlBox = h('div', { id: 'manage-urls' }, urlFields(c, 'manage'), oldURLInfo(c));
  const rotateOut = h('div', { id: 'rotate-result', role: 'status' });
  const rotate = h('button', { type: 'button', class: 'button', id: 'update-url', text: 'Update URL' });
  rotate.addEventListener('click', () => updateURL(c, rotate, urlBox, rotateOut).then((nc) => { if (nc) c = nc; }));

  const rs = reasons(c);
  dialog({
    title: `Manage ${c.name}`,
    className: 'wide manage',
    content: [
      c.attention_required ? h('div', { class: 'notice warning', role: 'note' },
        h('strong', { text: 'Attention required' }), rs.length ? h('ul', {}, rs.map((r) => h('li', { text: r }))) : null) : null,
      h('section', { class: 'dialog-section' }, nameForm),
      h('section', { class: 'dialog-section' }, h('h3', { text: 'Image' }),
        h('div', { class: 'image-row' }, preview, pic.el), h('div', { class: 'button-row' }, upload, c.image_url ? dropImg : null), imgErr),
      h('section', { class: 'dialog-section' }, h('h3', { text: 'URL' }), urlBox,
        h('p', { class: 'hint', text: 'Update URL makes a new URL. The current one keeps working for 24 hours, then stops; it is never shown again.' }),
        h('div', { class: 'button-row' }, rotate), rotateOut),
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
    message: 'Its URL stops working at once: senders get "410 Gone". The messages it posted stay in the channel.',
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
