// Waymark as people use it: Debian's Chromium, driven by playwright-core, signs in as each role of the
// demo area and walks their main journeys. axe-core checks every page visited against WCAG 2.2 AA
// (tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa) and any violation fails the test. Screenshots of
// the key pages are kept in e2e/artifacts/ (not committed).
//
// Needs: the `waymark` binary (WAYMARK_BIN, else ../target/debug/waymark) and Chromium
// (CHROMIUM, else /usr/bin/chromium). scripts/test installs both.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const BIN = process.env.WAYMARK_BIN || join(here, '..', 'target', 'debug', 'waymark')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const ARTIFACTS = join(here, 'artifacts')
const TODAY = '2026-11-22'
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

let server
let browser
let base
let signIns
let work
const checked = new Set()

function freePort () {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  work = mkdtempSync(join(tmpdir(), 'waymark-e2e-'))
  const db = join(work, 'demo.db')
  const json = join(work, 'sign-ins.json')
  execFileSync(BIN, ['demo', '--db', db, '--today', TODAY, '--no-serve', '--sign-ins-json', json], { stdio: 'ignore' })
  signIns = Object.fromEntries(JSON.parse(readFileSync(json, 'utf8')).map(s => [s.username, s.password]))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = spawn(BIN, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--clock-date', TODAY], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('waymark serve did not start within 30 s')), 30000)
    server.stdout.on('data', d => { if (String(d).includes('serving on')) { clearTimeout(timer); resolve() } })
    server.on('exit', code => reject(new Error(`waymark serve exited with ${code}`)))
  })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
})

after(async () => {
  await browser?.close()
  server?.kill('SIGTERM')
  if (work) rmSync(work, { recursive: true, force: true })
})

/** A fresh browser context (no shared cookies). axe is injected as a script; the page's own CSP stays
 * strict for the application's scripts, and is bypassed only to add the checker. */
async function newPage () {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', e => { throw e })
  return page
}

/** Run axe on the page; fail on any WCAG 2.2 AA violation, naming the rule and the elements. */
async function axe (page, label) {
  await page.addScriptTag({ content: AXE })
  const result = await page.evaluate(async tags => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } })
    return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join('; ')}`)
  }, TAGS)
  checked.add(label)
  assert.deepEqual(result, [], `accessibility violations on ${label}`)
}

async function visit (page, path, label, { screenshot = false, status = 200 } = {}) {
  const response = await page.goto(base + path)
  assert.equal(response.status(), status, `${label}: ${path}`)
  await axe(page, label)
  if (screenshot) await page.screenshot({ path: join(ARTIFACTS, `${label.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true })
}

async function signIn (page, username) {
  await page.goto(base + '/sign-in')
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(signIns[username])
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForLoadState()
  assert.ok(!page.url().endsWith('/sign-in'), `signed in as ${username}`)
}

async function fillDate (page, day, month, year) {
  await page.getByLabel('Day').fill(String(day))
  await page.getByLabel('Month').fill(String(month))
  await page.getByLabel('Year').fill(String(year))
}

test('the sign-in page and a failed sign-in are accessible and explain the problem', async () => {
  const page = await newPage()
  await visit(page, '/sign-in', 'sign in', { screenshot: true })
  await page.getByLabel('Username').fill('demo.caseworker')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('Enter a correct username and password').first().waitFor()
  await axe(page, 'sign in error')
  await page.screenshot({ path: join(ARTIFACTS, 'sign-in-error.png') })
  await page.context().close()
})

test('a caseworker finds overdue work, opens a case and records a decision through check your answers', async () => {
  const page = await newPage()
  await signIn(page, 'demo.caseworker')
  await visit(page, '/caseload', 'caseload', { screenshot: true })
  await visit(page, '/caseload?stage=requested&sort=name', 'caseload filtered')
  const row = page.getByRole('row', { name: /Amara Okafor/ })
  await row.getByRole('link').click()
  await page.waitForLoadState()
  await axe(page, 'case page')
  await page.screenshot({ path: join(ARTIFACTS, 'case-page.png'), fullPage: true })
  await page.getByRole('link', { name: 'Record the decision whether to assess' }).click()
  await axe(page, 'decision form')
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByText('There is a problem').waitFor()
  await axe(page, 'decision form with errors')
  await page.screenshot({ path: join(ARTIFACTS, 'decision-form-errors.png'), fullPage: true })
  await page.getByLabel('Yes, to assess').check()
  await fillDate(page, 20, 11, 2026)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByRole('heading', { name: 'Check your answers' }).waitFor()
  await axe(page, 'check your answers')
  await page.screenshot({ path: join(ARTIFACTS, 'check-your-answers.png'), fullPage: true })
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved: Record the decision whether to assess').waitFor()
  await axe(page, 'case page after saving')
  const child = await page.getByRole('link', { name: "See the child's multi-agency record" }).getAttribute('href')
  await visit(page, child, 'child record')
  await page.context().close()
})

test('a SEND manager sees the dashboard with its tables, drills into a stage and reads the audit log', async () => {
  const page = await newPage()
  await signIn(page, 'demo.manager')
  await visit(page, '/dashboard', 'dashboard', { screenshot: true })
  assert.equal(await page.locator('svg.app-chart').count(), 3)
  await visit(page, '/dashboard/stage/assessing', 'dashboard drill-down')
  await visit(page, '/dashboard/print', 'dashboard print')
  await visit(page, '/audit', 'audit log', { screenshot: true })
  await page.context().close()
})

test('an administrator sees users and roles and the form to add one', async () => {
  const page = await newPage()
  await signIn(page, 'demo.admin')
  await visit(page, '/admin/users', 'users', { screenshot: true })
  await visit(page, '/admin/users/new', 'add a user')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('There is a problem').waitFor()
  await axe(page, 'add a user with errors')
  await page.context().close()
})

test('a SENCO sees their pupils and records a review meeting', async () => {
  const page = await newPage()
  await signIn(page, 'demo.senco')
  await visit(page, '/pupils', 'pupils', { screenshot: true })
  const link = page.getByRole('link', { name: /Hold the annual review meeting/ }).first()
  if (await link.count()) {
    await link.click()
    await axe(page, 'review meeting form')
    await fillDate(page, 21, 11, 2026)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved: Record the annual review meeting').waitFor()
    await axe(page, 'case page for a SENCO')
  }
  await page.context().close()
})

test('a health professional sees their advice requests and submits advice', async () => {
  const page = await newPage()
  await signIn(page, 'demo.health')
  await visit(page, '/advice', 'advice requests', { screenshot: true })
  await page.getByRole('link', { name: /Submit advice/ }).first().click()
  await axe(page, 'submit advice form')
  await page.getByLabel('Health').check()
  await fillDate(page, 21, 11, 2026)
  await page.getByLabel('Summary of the advice').fill('Sensory processing assessment completed; recommends a quiet workspace.')
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved: Record advice received').waitFor()
  await axe(page, 'case page for health')
  await page.context().close()
})

test('social care and educational psychology see their own advice requests', async () => {
  for (const who of ['demo.socialcare', 'demo.ep']) {
    const page = await newPage()
    await signIn(page, who)
    await visit(page, '/advice', `advice requests ${who}`)
    await page.context().close()
  }
})

test('a parent and a young person see their own journey in plain English', async () => {
  for (const who of ['demo.parent', 'demo.youngperson']) {
    const page = await newPage()
    await signIn(page, who)
    await visit(page, '/my-journey', `journeys ${who}`)
    await page.getByRole('link').filter({ hasText: /Amara|Isla/ }).first().click()
    await page.getByRole('heading', { name: 'What happens next' }).waitFor()
    await axe(page, `journey ${who}`)
    await page.screenshot({ path: join(ARTIFACTS, `journey-${who}.png`), fullPage: true })
    await page.context().close()
  }
})

test('a board member sees aggregates only and is refused the caseload', async () => {
  const page = await newPage()
  await signIn(page, 'demo.board')
  await visit(page, '/dashboard', 'dashboard for the board')
  await visit(page, '/caseload', 'permission refused page', { status: 403 })
  await visit(page, '/no-such-page', 'page not found', { status: 404 })
  await page.context().close()
})

test('every page visited was checked for accessibility', () => {
  assert.ok(checked.size >= 30, `${checked.size} pages checked: ${[...checked].join(', ')}`)
})
