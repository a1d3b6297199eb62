// Small DOM helpers. Text always goes in as text (textContent), never as
// HTML: the only HTML Herald inserts is sanitized card Markdown (cards.js).

// h creates an element. attrs: class, text, on{Event} handlers, dataset
// (object), any other attribute (false/null/undefined skip it, true sets it
// empty). children: nodes, strings (as text), arrays, null/false (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// main replaces the page's content and names the page.
export function setMain(title, ...children) {
  document.title = title + ' · Herald';
  const main = document.getElementById('main');
  clear(main);
  append(main, children);
  return main;
}

// fail shows an error in place of the page.
export function showPageError(err) {
  setMain('Error', h('div', { class: 'page' },
    h('h1', { text: err.status === 404 ? 'Not found' : 'Something went wrong' }),
    h('p', { class: 'notice error', role: 'alert', text: err.message || String(err) }),
    h('p', {}, h('a', { href: '/', class: 'button' }, 'Go to your teams'))));
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

// timeEl shows a time: the hour today, else the date and hour.
export function timeEl(iso, cls) {
  const d = new Date(iso);
  if (isNaN(d)) return h('span', { class: cls, text: '' });
  const today = new Date();
  const same = d.toDateString() === today.toDateString();
  return h('time', { class: cls, datetime: d.toISOString(), title: fullFmt.format(d), text: same ? timeFmt.format(d) : dateTimeFmt.format(d) });
}

export function formatDateTime(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : dateTimeFmt.format(d);
}

// toast shows a short message that screen readers announce.
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const t = h('div', { class: 'toast ' + kind, text: message });
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

// initials for an avatar without a picture.
export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const s = parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] || '?').slice(0, 2);
  return s.toUpperCase();
}

export function avatar(name, imageURL, size = 32) {
  if (imageURL) {
    return h('img', { class: 'avatar', src: imageURL, alt: '', width: size, height: size, loading: 'lazy' });
  }
  return h('span', { class: 'avatar avatar-initials', 'aria-hidden': 'true', text: initials(name) });
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

// dialog opens a modal dialog. content: nodes; buttons are the caller's.
// Tab stays inside, Escape closes, and focus returns where it was.
// Returns { el, close }; onClose runs once when it closes.
export function dialog({ title, content, onClose, labelledBy, className }) {
  const opener = document.activeElement;
  const titleID = 'dlg-' + Math.random().toString(36).slice(2);
  const closeBtn = h('button', { type: 'button', class: 'icon-button dialog-close', 'aria-label': 'Close' }, h('span', { 'aria-hidden': 'true', text: '×' }));
  const el = h('dialog', { class: 'dialog ' + (className || ''), 'aria-labelledby': labelledBy || titleID },
    h('div', { class: 'dialog-head' }, h('h2', { id: titleID, text: title }), closeBtn),
    h('div', { class: 'dialog-body' }, content));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (el.open) el.close();
    el.remove();
    if (onClose) onClose();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  };
  closeBtn.addEventListener('click', close);
  el.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  el.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const items = [...el.querySelectorAll(FOCUSABLE)].filter((n) => n.offsetParent !== null || n === document.activeElement);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && (document.activeElement === first || !el.contains(document.activeElement))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
  // A click on the backdrop (outside the box) closes, as Escape does.
  el.addEventListener('mousedown', (e) => { if (e.target === el) close(); });
  document.body.append(el);
  el.showModal();
  const auto = el.querySelector('[autofocus]') || el.querySelector('.dialog-body ' + FOCUSABLE.split(',').join(', .dialog-body '));
  if (auto) auto.focus();
  return { el, close };
}

// confirm asks a yes/no question in a dialog; resolves true on yes.
export function confirm({ title, message, confirmLabel, danger = false, extra }) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h('button', { type: 'button', class: 'button ' + (danger ? 'danger' : 'primary'), text: confirmLabel || 'OK' });
    const no = h('button', { type: 'button', class: 'button', text: 'Cancel', autofocus: true });
    const d = dialog({
      title,
      className: 'confirm',
      content: [h('p', { text: message }), extra || null, h('div', { class: 'dialog-actions' }, no, yes)],
      onClose: () => resolve(answer),
    });
    yes.addEventListener('click', () => { answer = true; d.close(); });
    no.addEventListener('click', () => d.close());
  });
}

// copyField is a read-only text field with a Copy button.
export function copyField(label, value, id) {
  const input = h('input', { id, type: 'text', readonly: true, value, class: 'mono', spellcheck: 'false', autocomplete: 'off' });
  const status = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const btn = h('button', {
    type: 'button', class: 'button', 'aria-describedby': id,
    onClick: async () => {
      const ok = await copyText(input.value, input);
      status.textContent = ok ? 'Copied' : 'Select the text and copy it';
      setTimeout(() => { status.textContent = ''; }, 3000);
    },
  }, 'Copy');
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    h('div', { class: 'copy-row' }, input, btn), status);
}

async function copyText(text, input) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall through */ }
  try {
    input.focus();
    input.select();
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

// field builds a labelled input.
export function field(label, input, hint) {
  const hintEl = hint ? h('p', { class: 'hint', id: input.id + '-hint', text: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: input.id, text: label }), input, hintEl);
}

// switchField is a labelled checkbox with a description.
export function switchField(id, label, description, checked, onChange) {
  const input = h('input', { id, type: 'checkbox', class: 'switch', checked, role: 'switch' });
  if (onChange) input.addEventListener('change', () => onChange(input));
  const desc = description ? h('p', { class: 'hint', id: id + '-desc', text: description }) : null;
  if (desc) input.setAttribute('aria-describedby', desc.id);
  return h('div', { class: 'switch-field' }, input, h('div', {}, h('label', { for: id, text: label }), desc));
}

// busy disables a button while fn runs.
export async function busy(button, fn) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
  }
}

// formError shows (or clears) an error under a form.
export function formError(el, err) {
  if (!err) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.hidden = false;
  el.textContent = err.message || String(err);
}
