// Team settings: the team's connector switches and name (owners and
// organization admins), and its members: add, change role, remove.
import { api, seg } from '../api.js';
import { h, clear, setMain, showPageError, field, switchField, busy, formError, confirm, toast } from '../ui.js';
import { boot } from '../shell.js';

const teamID = document.body.dataset.id;
const ROLES = [['owner', 'Owner'], ['member', 'Member'], ['guest', 'Guest']];

let team, me, membersEl;

async function main() {
  try {
    let ctx;
    [ctx, team] = await Promise.all([boot({ teamId: teamID }), api('GET', `/teams/${seg(teamID)}`)]);
    me = ctx.me;
  } catch (err) {
    showPageError(err);
    return;
  }
  const can = team.can || {};
  if (!can.manage_team_settings && !can.manage_members) {
    setMain('Team settings', h('div', { class: 'page' },
      h('h1', { text: `${team.name}: settings` }),
      h('p', { class: 'notice', text: 'Only the team\'s owners and organization admins can change its settings.' }),
      h('p', {}, h('a', { href: `/teams/${seg(team.id)}`, text: `Back to ${team.name}` }))));
    return;
  }
  membersEl = h('div', { id: 'members' });
  setMain(`Settings · ${team.name}`, h('div', { class: 'page' },
    h('header', { class: 'page-head' }, h('div', { class: 'page-title' },
      h('p', { class: 'crumb' }, h('a', { href: `/teams/${seg(team.id)}`, text: team.name })),
      h('h1', { text: 'Team settings' }))),
    can.manage_team_settings ? settingsPanel() : null,
    h('section', { class: 'panel', 'aria-labelledby': 'members-title' }, h('h2', { id: 'members-title', text: 'Members' }), membersEl)));
  await drawMembers();
}

function settingsPanel() {
  const patch = async (input, body) => {
    input.disabled = true;
    try {
      team = { ...team, ...(await api('PATCH', `/teams/${seg(team.id)}`, body)) };
      toast('Saved.');
    } catch (err) {
      input.checked = !input.checked;
      toast(err.message, 'error');
    } finally {
      input.disabled = false;
    }
  };
  const name = h('input', { id: 'team-name', type: 'text', required: true, maxlength: 100, value: team.name, autocomplete: 'off' });
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'button', text: 'Rename' });
  const form = h('form', { class: 'form inline-form', novalidate: true }, field('Team name', name), save, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, async () => {
      formError(err, null);
      try {
        team = { ...team, ...(await api('PATCH', `/teams/${seg(team.id)}`, { name: name.value.trim() })) };
        toast('Team renamed.');
      } catch (e2) {
        formError(err, e2);
      }
    });
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'switches-title' },
    h('h2', { id: 'switches-title', text: 'Connectors' }),
    switchField('connectors-enabled', 'Connectors are on for this team',
      'Off: webhook posts to this team\'s channels are refused (403) and no connector can be added. Connections are kept. The organization\'s switch wins over this one.',
      team.connectors_enabled, (i) => patch(i, { connectors_enabled: i.checked })),
    switchField('members-manage', 'Members can add, change and remove connectors',
      'Off: only owners can. Guests never can.',
      team.members_can_manage_connectors, (i) => patch(i, { members_can_manage_connectors: i.checked })),
    h('div', { class: 'subpanel' }, form));
}

async function drawMembers() {
  const can = team.can || {};
  let members, users = [];
  try {
    [members, users] = await Promise.all([
      api('GET', `/teams/${seg(team.id)}/members`).then((r) => r.members || []),
      can.manage_members ? api('GET', '/users').then((r) => r.users || []).catch(() => []) : Promise.resolve([]),
    ]);
  } catch (err) {
    clear(membersEl).append(h('p', { class: 'notice error', role: 'alert', text: err.message }));
    return;
  }
  const rows = members.map((m) => {
    let roleCell = ROLES.find(([v]) => v === m.role)?.[1] || m.role;
    if (can.manage_members) {
      const sel = h('select', { id: `role-${m.user_id}`, 'aria-label': `Role of ${m.name}` },
        ROLES.map(([v, l]) => h('option', { value: v, selected: v === m.role, text: l })));
      sel.addEventListener('change', async () => {
        sel.disabled = true;
        try {
          await api('POST', `/teams/${seg(team.id)}/members`, { user_id: m.user_id, role: sel.value });
          toast(`${m.name} is now ${sel.value === 'owner' ? 'an owner' : 'a ' + sel.value}.`);
        } catch (err) {
          toast(err.message, 'error');
        }
        await drawMembers();
      });
      roleCell = sel;
    }
    const remove = can.manage_members ? h('button', {
      type: 'button', class: 'button danger-outline', 'aria-label': `Remove ${m.name} from the team`, text: 'Remove',
      onClick: async () => {
        const ok = await confirm({ title: `Remove ${m.name}?`, message: `${m.name} will no longer see ${team.name}. Connectors they set up keep working.`, confirmLabel: 'Remove', danger: true });
        if (!ok) return;
        try {
          await api('DELETE', `/teams/${seg(team.id)}/members/${seg(m.user_id)}`);
          toast(`${m.name} was removed.`);
          if (m.user_id === me.id && !me.org_admin) { location.assign('/'); return; }
        } catch (err) {
          toast(err.message, 'error');
        }
        await drawMembers();
      },
    }) : null;
    return h('tr', {}, h('td', { text: m.name }), h('td', { class: 'muted', text: m.email || '' }), h('td', {}, roleCell), can.manage_members ? h('td', {}, remove) : null);
  });
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Name' }), h('th', { scope: 'col', text: 'Email' }), h('th', { scope: 'col', text: 'Role' }),
      can.manage_members ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })) : null)),
    h('tbody', {}, rows)));
  clear(membersEl).append(table);
  if (!can.manage_members) return;
  const inTeam = new Set(members.map((m) => m.user_id));
  const candidates = users.filter((u) => !inTeam.has(u.id));
  if (!candidates.length) {
    membersEl.append(h('p', { class: 'muted small', text: 'Everyone in the organization is in this team.' }));
    return;
  }
  const who = h('select', { id: 'add-user' }, candidates.map((u) => h('option', { value: u.id, text: u.email ? `${u.name} (${u.email})` : u.name })));
  const role = h('select', { id: 'add-role' }, ROLES.map(([v, l]) => h('option', { value: v, selected: v === 'member', text: l })));
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const add = h('button', { type: 'submit', class: 'button primary', text: 'Add member' });
  const form = h('form', { class: 'form inline-form', novalidate: true }, field('Person', who), field('Role', role), add, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(add, async () => {
      formError(err, null);
      try {
        await api('POST', `/teams/${seg(team.id)}/members`, { user_id: who.value, role: role.value });
        toast('Member added.');
        await drawMembers();
      } catch (e2) {
        formError(err, e2);
      }
    });
  });
  membersEl.append(h('div', { class: 'subpanel' }, h('h3', { text: 'Add a member' }), form));
}

main();
