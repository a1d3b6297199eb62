// A team: its channels, a form to add one, and the way to its settings.
import { api, seg } from '../api.js';
import { h, setMain, showPageError, field, busy, formError } from '../ui.js';
import { boot } from '../shell.js';

const teamID = document.body.dataset.id;

const roles = { owner: 'Owner', member: 'Member', guest: 'Guest' };

async function main() {
  let team, ctx;
  try {
    [ctx, team] = await Promise.all([boot({ teamId: teamID }), api('GET', `/teams/${seg(teamID)}`)]);
  } catch (err) {
    showPageError(err);
    return;
  }
  const can = team.can || {};
  const chs = ctx.channels.get(team.id) || (await api('GET', `/teams/${seg(team.id)}/channels`)).channels || [];
  const list = h('ul', { class: 'channel-cards' }, chs.map((c) => h('li', { class: 'channel-card' },
    h('a', { href: `/channels/${seg(c.id)}` }, h('span', { class: 'hash', 'aria-hidden': 'true', text: '#' }), c.name),
    h('span', { class: 'muted small', text: `${c.message_count} messages` }),
    h('a', { class: 'small', href: `/channels/${seg(c.id)}/connectors`, 'aria-label': `Connectors of ${c.name}`, text: 'Connectors' }))));

  let create = null;
  if (can.create_channel) {
    const name = h('input', { id: 'channel-name', type: 'text', required: true, maxlength: 100, autocomplete: 'off' });
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'button primary', text: 'Add channel' });
    create = h('form', { class: 'form inline-form', novalidate: true }, field('Channel name', name), submit, err);
    create.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, async () => {
        formError(err, null);
        try {
          const c = await api('POST', `/teams/${seg(team.id)}/channels`, { name: name.value.trim() });
          location.assign(`/channels/${seg(c.id)}`);
        } catch (e2) {
          formError(err, e2);
        }
      });
    });
  }
  const settings = can.manage_team_settings || can.manage_members;
  setMain(team.name, h('div', { class: 'page' },
    h('header', { class: 'page-head' },
      h('div', { class: 'page-title' }, h('p', { class: 'crumb', text: 'Team' }), h('h1', { text: team.name })),
      h('div', { class: 'head-actions' },
        team.role ? h('span', { class: 'badge', text: `Your role: ${roles[team.role] || team.role}` }) : (ctx.me.org_admin ? h('span', { class: 'badge', text: 'Organization admin' }) : null),
        settings ? h('a', { class: 'button', href: `/teams/${seg(team.id)}/settings`, id: 'team-settings-link' }, 'Team settings') : null)),
    h('section', { class: 'panel', 'aria-labelledby': 'channels-title' },
      h('h2', { id: 'channels-title', text: 'Channels' }), list,
      create ? h('div', { class: 'subpanel' }, h('h3', { text: 'Add a channel' }), create) : null)));
}

main();
