// Home: the caller's teams and their channels, and a form to create a team.
import { api, seg } from '../api.js';
import { h, setMain, showPageError, field, busy, formError } from '../ui.js';
import { boot } from '../shell.js';

async function main() {
  let ctx;
  try {
    ctx = await boot({});
  } catch (err) {
    showPageError(err);
    return;
  }
  const { me, teams, channels } = ctx;
  const grid = h('ul', { class: 'team-grid' });
  for (const t of teams) {
    const chs = channels.get(t.id) || [];
    grid.append(h('li', { class: 'team-card' },
      h('h2', {}, h('a', { href: `/teams/${seg(t.id)}`, text: t.name })),
      h('ul', { class: 'plain' }, chs.map((c) => h('li', {},
        h('a', { href: `/channels/${seg(c.id)}` }, h('span', { class: 'hash', 'aria-hidden': 'true', text: '#' }), c.name),
        h('span', { class: 'muted small', text: ` ${c.message_count} messages` }))))));
  }
  const name = h('input', { id: 'team-name', type: 'text', required: true, maxlength: 100, autocomplete: 'off' });
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary', text: 'Create team' });
  const form = h('form', { class: 'form inline-form', novalidate: true }, field('Team name', name), submit, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      formError(err, null);
      try {
        const t = await api('POST', '/teams', { name: name.value.trim() });
        location.assign(`/teams/${seg(t.id)}`);
      } catch (e2) {
        formError(err, e2);
      }
    });
  });
  setMain('Teams', h('div', { class: 'page' },
    h('header', { class: 'page-head' }, h('div', { class: 'page-title' }, h('h1', { text: `Hello, ${me.name}` }))),
    teams.length ? grid : h('p', { class: 'muted', text: 'You are not in a team yet. A team owner can add you, or create a team below.' }),
    h('section', { class: 'panel', 'aria-labelledby': 'new-team' }, h('h2', { id: 'new-team', text: 'Create a team' }),
      h('p', { class: 'muted small', text: 'You become its owner; it starts with a General channel.' }), form)));
}

main();
