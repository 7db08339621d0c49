// The application's entry: who is signed in, the navigation, and which page
// the URL's fragment (#/rounds/ID ...) names. Pages live in pages.js,
// editor.js, ledger.js, runs.js and compliance.js.

import { h, clear, fill, notice } from './dom.js';
import { request, setCsrf } from './api.js';
import * as pages from './pages.js';
import { ledger, ledgerIndex } from './ledger.js';
import { newRun, run } from './runs.js';
import { compliance } from './compliance.js';
import * as admin from './admin.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let session = null;
let leaving = [];

/** Routes: fragment pattern, page name (for tests and titles), page. */
const ROUTES = [
  [/^\/signin$/, 'signin', 'Sign in', pages.signIn],
  [/^\/$/, 'rounds', 'Rounds', pages.rounds],
  [/^\/rounds\/new$/, 'new-round', 'New round', pages.newRound],
  [/^\/rounds\/([^/]+)$/, 'round', 'Round', pages.round],
  [/^\/rounds\/([^/]+)\/contribution$/, 'contribution', 'Contribution', pages.contribution],
  [/^\/rounds\/([^/]+)\/contracts$/, 'contracts', 'Contracts', pages.contracts],
  [/^\/rounds\/([^/]+)\/ledger$/, 'ledger', 'Ledger', ledger],
  [/^\/ledger$/, 'ledger-index', 'Ledger', ledgerIndex],
  [/^\/rounds\/([^/]+)\/runs\/new$/, 'new-run', 'Start a run', newRun],
  [/^\/rounds\/([^/]+)\/compliance$/, 'compliance', 'Compliance', compliance],
  [/^\/runs\/([^/]+)$/, 'run', 'Run', run],
  [/^\/published$/, 'published', 'Published results', pages.published],
  [/^\/published\/([^/]+)$/, 'published-run', 'Published totals', pages.publishedRun],
  [/^\/organisation$/, 'organisation', 'Organisation', admin.organisation],
];

const NAV = [
  ['#/', 'Rounds', ['rounds', 'new-round', 'round', 'contribution', 'contracts', 'run', 'new-run', 'compliance']],
  ['#/ledger', 'Ledger', ['ledger', 'ledger-index']],
  ['#/published', 'Published results', ['published', 'published-run']],
  ['#/organisation', 'Organisation', ['organisation']],
];

function drawChrome(page) {
  clear(nav);
  clear(who);
  if (!session) return;
  for (const [href, text, pagesOf] of NAV) {
    nav.append(h('a', { href, 'aria-current': pagesOf.includes(page) ? 'page' : null }, text));
  }
  const signOut = h('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    try {
      await request('DELETE', '/session');
    } finally {
      session = null;
      setCsrf(null);
      location.hash = '#/signin';
    }
  });
  who.append(h('span', { id: 'signed-in-as' }, `${session.user} · ${session.organisation} (${session.kind})`), signOut);
}

async function loadSession() {
  try {
    session = (await request('GET', '/session')).data;
    setCsrf(session.csrf);
  } catch (error) {
    if (error.status !== 401) throw error;
    session = null;
  }
}

async function route() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return;
  const path = hash.slice(1);
  for (const stop of leaving) stop();
  leaving = [];
  document.body.dataset.ready = 'false';
  if (!session && path !== '/signin') {
    location.replace('#/signin');
    return;
  }
  const found = ROUTES.map(([re, name, title, page]) => [re.exec(path), name, title, page]).find(([m]) => m);
  const [match, name, title, page] = found || [null, 'missing', 'Not found', null];
  document.body.dataset.page = name;
  document.title = `${title} · Caisson`;
  drawChrome(name);
  fill(main, h('p', {}, 'Loading…'));
  const ctx = {
    session,
    setSession(s) { session = s; },
    onLeave(stop) { leaving.push(stop); },
  };
  try {
    if (!page) fill(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Go to the rounds')));
    else await page(main, ctx, ...match.slice(1).map(decodeURIComponent));
  } catch (error) {
    if (error.status === 401) {
      session = null;
      location.replace('#/signin');
      return;
    }
    fill(main, h('h1', {}, title), notice('bad', error.status === 404
      ? 'This does not exist, or it is not shown to your organisation.'
      : `The page could not be shown: ${error.message}`));
  }
  document.body.dataset.ready = 'true';
}

document.getElementById('skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', route);
await loadSession();
await route();
