// Organization admin: the connector switches (Set-OrganizationConfig), the
// cloud profile (read-only: chosen when the store was created), and the
// audit log, newest first, a page at a time.
import { api } from '../api.js';
import { h, clear, setMain, showPageError, switchField, toast, timeEl } from '../ui.js';
import { boot } from '../shell.js';

const SWITCHES = [
  ['connectors_enabled', 'Connectors', 'Off: every connector in the organization stops; webhook posts get 403. Connections are kept.'],
  ['connectors_enabled_for_teams', 'Connectors for Teams channels', 'Off: connectors in channels stop, as above.'],
  ['connectors_enabled_for_outlook', 'Connectors for Outlook groups', 'Kept for parity with Set-OrganizationConfig.'],
  ['connectors_actionable_messages_enabled', 'Actionable messages', 'Card buttons that call the sender back (Action.Http).'],
];
const CLOUDS = {
  commercial: 'Commercial',
  gcc: 'GCC: connectors start off; custom connector apps are unavailable',
  gcch: 'GCC High: connectors start off; custom connector apps are unavailable',
  dod: 'DoD: custom connector apps are unavailable',
};
const ACTIONS = ['org.create', 'org.update', 'org.require_url_update', 'org.cancel_url_update', 'team.create', 'team.update',
  'channel.create', 'member.add', 'member.update', 'member.remove', 'user.create', 'user.delete', 'token.create', 'token.revoke',
  'connection.create', 'connection.update', 'connection.rotate_url', 'connection.delete', 'connector.retire', 'connector.restore'];
const PAGE = 25;

const audit = { before: 0, action: '', done: false };
let tbody, more, auditStatus;

async function main() {
  let ctx;
  try {
    ctx = await boot({ page: 'admin' });
  } catch (err) {
    showPageError(err);
    return;
  }
  if (!ctx.me.org_admin) {
    setMain('Organization', h('div', { class: 'page' }, h('h1', { text: 'Organization' }),
      h('p', { class: 'notice', text: 'Only organization admins can see this page.' })));
    return;
  }
  let org;
  try {
    org = await api('GET', '/org');
  } catch (err) {
    showPageError(err);
    return;
  }
  const switches = SWITCHES.map(([key, label, desc]) => switchField(`org-${key}`, label, desc, org[key], async (input) => {
    input.disabled = true;
    try {
      org = await api('PATCH', '/org', { [key]: input.checked });
      toast(`${label}: ${org[key] ? 'on' : 'off'}. Every node applies it at once.`);
    } catch (err) {
      input.checked = !input.checked;
      toast(err.message, 'error');
    } finally {
      input.disabled = false;
    }
  }));
  const filter = h('select', { id: 'audit-action' }, h('option', { value: '', text: 'All changes' }), ACTIONS.map((a) => h('option', { value: a, text: a })));
  filter.addEventListener('change', () => { audit.action = filter.value; audit.before = 0; audit.done = false; clear(tbody); loadAudit(); });
  tbody = h('tbody', { id: 'audit-rows' });
  auditStatus = h('p', { class: 'muted small', role: 'status' });
  more = h('button', { type: 'button', class: 'button', id: 'audit-more', text: 'Show older entries', onClick: loadAudit });
  setMain('Organization', h('div', { class: 'page admin-page' },
    h('header', { class: 'page-head' }, h('div', { class: 'page-title' }, h('p', { class: 'crumb', text: 'Administration' }), h('h1', { text: org.name }))),
    h('div', { class: 'admin-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'switches-title' },
        h('h2', { id: 'switches-title', text: 'Connector switches' }),
        h('p', { class: 'muted small', text: 'The organization wins over each team\'s own switch.' }),
        switches),
      h('section', { class: 'panel', 'aria-labelledby': 'profile-title' },
        h('h2', { id: 'profile-title', text: 'Cloud profile' }),
        h('dl', { class: 'facts' },
          h('dt', { text: 'Profile' }), h('dd', { id: 'cloud-profile', text: CLOUDS[org.cloud] || org.cloud }),
          h('dt', { text: 'Organization' }), h('dd', { text: org.name }),
          h('dt', { text: 'Created' }), h('dd', {}, timeEl(org.created_at))),
        h('p', { class: 'muted small', text: 'The profile is chosen when Herald first creates its store (herald serve --cloud) and cannot be changed here.' }))),
    h('section', { class: 'panel', 'aria-labelledby': 'audit-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'audit-title', text: 'Audit log' }),
        h('div', { class: 'search' }, h('label', { for: 'audit-action', class: 'visually-hidden', text: 'Show changes of type' }), filter)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table audit' },
        h('thead', {}, h('tr', {}, ['When', 'Who', 'Change', 'What', 'Details'].map((t) => h('th', { scope: 'col', text: t })))),
        tbody)),
      auditStatus, more)));
  await loadAudit();
}

async function loadAudit() {
  if (audit.done) return;
  more.disabled = true;
  try {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (audit.before) q.set('before', String(audit.before));
    if (audit.action) q.set('action', audit.action);
    const r = await api('GET', '/audit?' + q);
    const entries = r.entries || [];
    for (const e of entries) tbody.append(row(e));
    if (entries.length) audit.before = entries[entries.length - 1].id;
    audit.done = entries.length < PAGE;
    auditStatus.textContent = audit.done ? (tbody.children.length ? 'That is the oldest entry.' : 'No changes recorded.') : '';
  } catch (err) {
    auditStatus.textContent = err.message;
  } finally {
    more.disabled = false;
    more.hidden = audit.done;
  }
}

function pretty(raw) {
  if (raw === undefined || raw === null) return '';
  try { return JSON.stringify(typeof raw === 'string' ? JSON.parse(raw) : raw, null, 2); } catch { return String(raw); }
}

function row(e) {
  const before = pretty(e.before);
  const after = pretty(e.after);
  const details = before || after ? h('details', {}, h('summary', { text: 'Before and after' }),
    h('div', { class: 'diff' },
      before ? h('div', {}, h('p', { class: 'small muted', text: 'Before' }), h('pre', { text: before })) : null,
      after ? h('div', {}, h('p', { class: 'small muted', text: 'After' }), h('pre', { text: after })) : null)) : '';
  return h('tr', { dataset: { id: e.id } },
    h('td', {}, timeEl(e.at)),
    h('td', { text: e.actor_name || e.actor_id }),
    h('td', {}, h('code', { text: e.action })),
    h('td', { class: 'small', text: `${e.target_type} ${e.target_id}` }),
    h('td', {}, details));
}

main();
