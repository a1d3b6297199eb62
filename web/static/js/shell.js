// The frame every signed-in page shares: the top bar (who is signed in,
// Admin, Sign out) and the sidebar of teams and channels, which collapses
// behind a menu button on narrow screens.
import { api, seg } from './api.js';
import { h, clear, toast } from './ui.js';

// boot loads the caller and their teams, draws the frame, and returns
// { me, teams, channels } (channels: team id -> list).
// active: { teamId, channelId, page } marks the current place.
export async function boot(active = {}) {
  setupMenu();
  const [me, teamList] = await Promise.all([api('GET', '/me'), api('GET', '/teams')]);
  const teams = teamList.teams || [];
  const lists = await Promise.all(teams.map((t) =>
    api('GET', `/teams/${seg(t.id)}/channels`).then((r) => r.channels || []).catch(() => [])));
  const channels = new Map(teams.map((t, i) => [t.id, lists[i]]));
  drawUser(me);
  drawSidebar(teams, channels, active, me);
  const loading = document.getElementById('page-loading');
  if (loading) loading.remove();
  return { me, teams, channels };
}

function drawUser(me) {
  const box = clear(document.getElementById('topbar-user'));
  const signOut = h('button', {
    type: 'button', class: 'topbar-link', text: 'Sign out',
    onClick: async () => {
      try {
        await api('DELETE', '/session', undefined, { noRedirect: true });
      } catch (err) {
        toast(err.message, 'error');
        return;
      }
      location.assign('/signin');
    },
  });
  box.append(
    me.org_admin ? h('a', { class: 'topbar-link', href: '/admin', text: 'Admin' }) : '',
    h('span', { class: 'topbar-name', title: me.email || '', text: me.name }),
    signOut);
}

function drawSidebar(teams, channels, active, me) {
  const nav = clear(document.getElementById('sidebar'));
  nav.append(h('h2', { class: 'sidebar-title', text: 'Teams' }));
  if (!teams.length) {
    nav.append(h('p', { class: 'muted small', text: me.org_admin ? 'No teams yet.' : 'You are not in a team yet; a team owner can add you.' }));
  }
  const list = h('ul', { class: 'team-list' });
  for (const t of teams) {
    const here = active.teamId === t.id && !active.channelId;
    const chs = h('ul', { class: 'channel-list' });
    for (const c of channels.get(t.id) || []) {
      const cur = active.channelId === c.id;
      chs.append(h('li', {}, h('a', {
        href: `/channels/${seg(c.id)}`, class: 'channel-link' + (cur ? ' current' : ''),
        'aria-current': cur ? 'page' : false,
      }, h('span', { class: 'hash', 'aria-hidden': 'true', text: '#' }), c.name)));
    }
    list.append(h('li', { class: 'team' },
      h('a', { href: `/teams/${seg(t.id)}`, class: 'team-link' + (here ? ' current' : ''), 'aria-current': here ? 'page' : false },
        h('span', { class: 'team-badge', 'aria-hidden': 'true', text: (t.name || '?').slice(0, 1).toUpperCase() }), t.name),
      chs));
  }
  nav.append(list);
}

// The menu button shows and hides the sidebar on narrow screens.
function setupMenu() {
  const btn = document.getElementById('menu-button');
  const nav = document.getElementById('sidebar');
  const scrim = document.getElementById('scrim');
  if (!btn || btn.dataset.ready) return;
  btn.dataset.ready = '1';
  const set = (open) => {
    document.body.classList.toggle('nav-open', open);
    btn.setAttribute('aria-expanded', String(open));
    scrim.hidden = !open;
    if (open) {
      const first = nav.querySelector('a');
      if (first) first.focus();
    }
  };
  btn.addEventListener('click', () => set(!document.body.classList.contains('nav-open')));
  scrim.addEventListener('click', () => set(false));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && document.body.classList.contains('nav-open')) {
      set(false);
      btn.focus();
    }
  });
}

// teamTabs are the links at the top of a channel's pages.
export function channelHeader(channel, team, current) {
  const tabs = [
    ['posts', 'Posts', `/channels/${seg(channel.id)}`],
    ['connectors', 'Connectors', `/channels/${seg(channel.id)}/connectors`],
  ];
  return h('header', { class: 'page-head' },
    h('div', { class: 'page-title' },
      h('p', { class: 'crumb' }, h('a', { href: `/teams/${seg(team.id)}`, text: team.name })),
      h('h1', {}, h('span', { class: 'hash', 'aria-hidden': 'true', text: '#' }), channel.name)),
    h('nav', { class: 'tabs', 'aria-label': 'Channel' },
      tabs.map(([key, label, href]) => h('a', {
        href, class: 'tab' + (key === current ? ' current' : ''), 'aria-current': key === current ? 'page' : false, text: label,
      }))));
}
