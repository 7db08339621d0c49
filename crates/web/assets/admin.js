// The organisation page's own parts: every user changes its password; an
// admin lists and adds the organisation's users (the one-time password shown
// once) and its API tokens (made, shown once, revoked). Which parts are
// drawn follows the caller's role; whether an action is allowed is the API's
// answer (403 for a non-admin, 404 for another organisation).

import { h, fill, field, dataTable, notice, announce, badge } from './dom.js';
import { request, get, post, seg } from './api.js';
import { organisation as organisationPage } from './pages.js';

/** A refusal as a notice (the API's message; nothing typed is cleared). */
function refusal(error, what) {
  const prefix = error.status === 0 ? '' : `${what}: `;
  return notice('bad', h('p', {}, `${prefix}${error.message}`));
}

/**
 * A secret shown once (a one-time password, a token), with a button that
 * copies it and the plain statement that it cannot be shown again.
 */
function secretOnce({ id, title, label, secret, after }) {
  const value = h('input', { type: 'text', readonly: true, value: secret, id: `${id}-value`, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  const copy = h('button', { type: 'button', id: `${id}-copy` }, 'Copy');
  const copied = h('span', { class: 'hint', 'aria-live': 'polite' });
  copy.addEventListener('click', async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(secret);
      copied.textContent = 'Copied.';
    } catch (error) {
      copied.textContent = 'Select the text and copy it yourself (Ctrl+C).';
    }
  });
  return h('div', { class: 'notice good secret-once', id, role: 'status' },
    h('p', {}, h('strong', {}, title)),
    h('p', {}, h('strong', {}, 'Copy it now: '), 'it is shown this once and cannot be shown again (only a hash of it is stored). ', after),
    h('div', { class: 'row' }, field(label, value), copy, copied));
}

/** The caller's own password: current and new (twice, compared here only to spare a retyping). */
function passwordForm() {
  const current = h('input', { type: 'password', id: 'password-current', autocomplete: 'current-password', required: true });
  const fresh = h('input', { type: 'password', id: 'password-new', autocomplete: 'new-password', required: true });
  const again = h('input', { type: 'password', id: 'password-again', autocomplete: 'new-password', required: true });
  const save = h('button', { type: 'submit', class: 'primary', id: 'password-save' }, 'Change the password');
  const messages = h('div', { id: 'password-messages' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'password-title', id: 'password-form' },
    h('h2', { id: 'password-title' }, 'Your password'),
    h('p', { class: 'hint' }, 'A new password has 12 characters or more. Your other sessions end; API tokens keep working.'),
    h('div', { class: 'row' },
      field('Current password', current),
      field('New password', fresh),
      field('New password again', again)),
    h('div', { class: 'actions' }, save),
    messages);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (fresh.value !== again.value) {
      fill(messages, notice('bad', h('p', {}, 'The two new passwords differ: nothing was changed.')));
      again.focus();
      return;
    }
    save.disabled = true;
    try {
      await request('POST', '/me/password', { json: { current: current.value, new: fresh.value } });
      current.value = '';
      fresh.value = '';
      again.value = '';
      fill(messages, notice('good', h('p', {}, 'Your password is changed. Sign in with it from now on.')));
      announce('Password changed');
    } catch (error) {
      fill(messages, refusal(error, 'The password was not changed'));
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/** The organisation's users and the form that adds one. */
async function usersPart(org, usersChanged) {
  const part = h('section', { 'aria-labelledby': 'users-title', id: 'users-part' });
  const draw = async (shown) => {
    const users = await get(`/organisations/${seg(org)}/users`);
    const name = h('input', { type: 'text', id: 'new-user-name', autocomplete: 'off', required: true });
    const role = h('select', { id: 'new-user-role' },
      ['editor', 'viewer', 'admin'].map((r) => h('option', { value: r }, r)));
    const add = h('button', { type: 'submit', class: 'primary', id: 'add-user' }, 'Add the user');
    const messages = h('div', { id: 'user-messages' }, shown);
    const form = h('form', { class: 'card', 'aria-labelledby': 'add-user-title' },
      h('h3', { id: 'add-user-title' }, 'Add a user'),
      h('div', { class: 'row' },
        field('User name', name, 'Letters, digits, _ . and -'),
        field('Role', role, 'admin: manages users and tokens; editor: contributes and signs; viewer: reads')),
      h('div', { class: 'actions' }, add));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      add.disabled = true;
      try {
        const created = await post(`/organisations/${seg(org)}/users`, { user: name.value.trim(), role: role.value });
        await draw(secretOnce({
          id: 'new-user-password',
          title: `User ${created.user} (${created.role}) is added.`,
          label: `One-time password of ${created.user}`,
          secret: created.password,
          after: `Give it to ${created.user} over a channel you trust; they sign in with it and change it on this page.`,
        }));
        await usersChanged();
        announce(`User ${created.user} added; copy the password now`);
        document.getElementById('new-user-password-value')?.focus();
      } catch (error) {
        fill(messages, refusal(error, 'The user was not added'));
        add.disabled = false;
      }
    });
    fill(part,
      h('h2', { id: 'users-title' }, 'Users'),
      messages,
      dataTable({
        caption: `Users of ${org}`,
        id: 'users',
        columns: [
          { label: 'User', value: (u) => u.user },
          { label: 'Role', value: (u) => u.role },
        ],
        rows: users,
      }),
      form);
  };
  await draw(null);
  return part;
}

/** The organisation's API tokens: made, listed (never the secret), revoked. */
async function tokensPart(org) {
  const part = h('section', { 'aria-labelledby': 'tokens-title', id: 'tokens-part' });
  const draw = async (shown) => {
    const [tokens, users] = await Promise.all([
      get(`/organisations/${seg(org)}/tokens`),
      get(`/organisations/${seg(org)}/users`),
    ]);
    const messages = h('div', { id: 'token-messages' }, shown);
    const revoke = (t) => {
      if (t.revoked) return badge('revoked');
      const button = h('button', { type: 'button', class: 'danger', id: `revoke-${t.id}`, 'data-token': t.id }, 'Revoke');
      button.addEventListener('click', async () => {
        if (!window.confirm(`Revoke the token ${t.id.slice(0, 8)} of ${t.user}? Scripts using it stop working at once.`)) return;
        button.disabled = true;
        try {
          await request('DELETE', `/organisations/${seg(org)}/tokens/${seg(t.id)}`);
          await draw(notice('good', h('p', {}, `The token ${t.id.slice(0, 8)} of ${t.user} is revoked.`)));
          announce('Token revoked');
        } catch (error) {
          fill(messages, refusal(error, 'The token was not revoked'));
          button.disabled = false;
        }
      });
      return button;
    };
    const user = h('select', { id: 'new-token-user' }, users.map((u) => h('option', { value: u.user }, `${u.user} (${u.role})`)));
    const make = h('button', { type: 'submit', class: 'primary', id: 'add-token' }, 'Make a token');
    const form = h('form', { class: 'card', 'aria-labelledby': 'add-token-title' },
      h('h3', { id: 'add-token-title' }, 'Make an API token'),
      h('p', { class: 'hint' }, 'A token acts as its user for scripts: Authorization: Bearer TOKEN.'),
      h('div', { class: 'row' }, field('Acts as', user)),
      h('div', { class: 'actions' }, make));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      make.disabled = true;
      try {
        const created = await post(`/organisations/${seg(org)}/tokens`, { user: user.value });
        await draw(secretOnce({
          id: 'new-token',
          title: `A token for ${created.user} is made (id ${created.id.slice(0, 8)}).`,
          label: `Token of ${created.user}`,
          secret: created.token,
          after: 'Keep it like a password.',
        }));
        announce('Token made; copy it now');
        document.getElementById('new-token-value')?.focus();
      } catch (error) {
        fill(messages, refusal(error, 'The token was not made'));
        make.disabled = false;
      }
    });
    fill(part,
      h('h2', { id: 'tokens-title' }, 'API tokens'),
      messages,
      dataTable({
        caption: `API tokens of ${org}, oldest first`,
        id: 'tokens',
        columns: [
          { label: 'Token', value: (t) => t.id.slice(0, 8) },
          { label: 'Acts as', value: (t) => t.user },
          { label: 'Made', value: (t) => t.created },
          { label: 'Revoked', value: (t) => t.revoked || 'no' },
          { label: 'Action', value: revoke },
        ],
        rows: tokens,
        empty: 'No token yet.',
      }),
      form);
  };
  await draw(null);
  // The users to choose from change when one is added.
  part.redraw = () => draw(null);
  return part;
}

/** `#/organisation`: who the caller is, the access log, its password, and for admins the users and tokens. */
export async function organisation(main, ctx) {
  await organisationPage(main, ctx);
  main.append(passwordForm());
  if (ctx.session.role === 'admin') {
    const tokens = await tokensPart(ctx.session.organisation);
    main.append(await usersPart(ctx.session.organisation, () => tokens.redraw()), tokens);
  }
}
