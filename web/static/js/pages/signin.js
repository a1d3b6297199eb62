// Sign in with email and password: POST /api/v1/session sets an HttpOnly
// session cookie; then back to the page that sent the browser here.
import { api, safeNext } from '../api.js';
import { formError } from '../ui.js';

const next = safeNext(new URLSearchParams(location.search).get('next') || '/');
const form = document.getElementById('signin-form');
const err = document.getElementById('signin-error');
const button = form.querySelector('button[type=submit]');

// Already signed in: go on.
api('GET', '/me', undefined, { noRedirect: true }).then(() => location.replace(next), () => {});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  formError(err, null);
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  if (!email || !password) {
    formError(err, new Error('Enter your email and your password.'));
    (email ? form.elements.password : form.elements.email).focus();
    return;
  }
  button.disabled = true;
  try {
    await api('POST', '/session', { email, password }, { noRedirect: true });
    location.assign(next);
  } catch (e2) {
    formError(err, e2);
    form.elements.password.select();
    form.elements.password.focus();
  } finally {
    button.disabled = false;
  }
});
