// The browser-test harness shared by every journey file: it generates the demo area, serves it, starts
// Debian's Chromium (driven by playwright-core) and checks each page with axe-core against WCAG 2.2 AA
// (tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa) and for reflow at 320 px. Screenshots go to
// e2e/artifacts/ (not committed).
//
// Needs: the `waymark` binary (WAYMARK_BIN, else ../target/debug/waymark) and Chromium
// (CHROMIUM, else /usr/bin/chromium). scripts/test installs both.

import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { createServer } from 'node:net'
import { createHash, createHmac } from 'node:crypto'
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

/** Register the test file's set-up and tear-down: generate the demo area into a temporary folder, run
 * `prepare(db, work)` (imports a journey needs before serving), serve it (with any `serveArgs`) on a free loopback port and
 * start Chromium. Each test file is its own process with its own server. */
export function useWaymark ({ prepare, serveArgs = [] } = {}) {
  before(async () => { await start(prepare, serveArgs) })
  after(async () => { await stop() })
}

/** What a journey may need: the base URL, the demo's sign-ins, the temporary folder and the binary. */
export const waymark = {
  get base () { return base },
  get work () { return work },
  get db () { return join(work, 'demo.db') },
  bin: BIN,
  today: TODAY,
  artifacts: ARTIFACTS,
  password (username) { return signIns[username] },
  checked
}

/** The demo area, generated once per binary and copied for each journey file (generating it takes about
 * half a minute in a debug build; a copy, a second). The folder is named by the binary's size and time, so
 * a rebuilt binary generates afresh; folders of older binaries are removed. It is renamed into place whole,
 * so a file never sees a half-generated area. */
function demoArea () {
  const stat = statSync(BIN)
  const key = createHash('sha256').update(`${BIN} ${stat.size} ${stat.mtimeMs} ${TODAY}`).digest('hex').slice(0, 16)
  const prefix = 'waymark-e2e-demo-'
  const area = join(tmpdir(), prefix + key)
  if (existsSync(area)) return area
  for (const old of readdirSync(tmpdir()).filter(n => n.startsWith(prefix))) rmSync(join(tmpdir(), old), { recursive: true, force: true })
  const fresh = mkdtempSync(join(tmpdir(), 'waymark-e2e-generating-'))
  execFileSync(BIN, ['demo', '--db', join(fresh, 'demo.db'), '--today', TODAY, '--no-serve', '--sign-ins-json', join(fresh, 'sign-ins.json')], { stdio: 'ignore' })
  renameSync(fresh, area)
  return area
}

async function start (prepare, serveArgs) {
  mkdirSync(ARTIFACTS, { recursive: true })
  work = mkdtempSync(join(tmpdir(), 'waymark-e2e-'))
  const db = join(work, 'demo.db')
  cpSync(demoArea(), work, { recursive: true })
  signIns = Object.fromEntries(JSON.parse(readFileSync(join(work, 'sign-ins.json'), 'utf8')).map(s => [s.username, s.password]))
  if (prepare) await prepare(db, work)
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = spawn(BIN, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--clock-date', TODAY, ...serveArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('waymark serve did not start within 30 s')), 30000)
    server.stdout.on('data', d => { if (String(d).includes('serving on')) { clearTimeout(timer); resolve() } })
    server.on('exit', code => reject(new Error(`waymark serve exited with ${code}`)))
  })
  // Ready once the dashboards are warmed (`/readyz`), so no journey waits behind the warm-up.
  for (const started = Date.now(); ; await new Promise(resolve => setTimeout(resolve, 250))) {
    const ready = await fetch(base + '/readyz').then(r => r.ok, () => false)
    if (ready) break
    if (Date.now() - started > 600000) throw new Error('waymark serve was not ready within 10 minutes')
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}

async function stop () {
  await browser?.close()
  server?.kill('SIGTERM')
  if (work) rmSync(work, { recursive: true, force: true })
}

/** A fresh browser context (no shared cookies). axe is injected as a script; the page's own CSP stays
 * strict for the application's scripts, and is bypassed only to add the checker. */
export async function newPage () {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', e => { throw e })
  return page
}

/** Run axe on the page; fail on any WCAG 2.2 AA violation, naming the rule and the elements. */
export async function axe (page, label) {
  await page.addScriptTag({ content: AXE })
  const result = await page.evaluate(async tags => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } })
    return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join('; ')}`)
  }, TAGS)
  checked.add(label)
  assert.deepEqual(result, [], `accessibility violations on ${label}`)
  await reflows(page, label)
}

/** WCAG 2.2 1.4.10 Reflow: at 320 CSS px the page does not scroll sideways (wide tables scroll inside
 * their own region instead). Checked on every page at 320 px as well as at the desktop width. */
export async function reflows (page, label) {
  const desktop = page.viewportSize()
  await page.setViewportSize({ width: 320, height: 720 })
  const [width, wide] = await page.evaluate(() => {
    // The outermost elements that stick out past the viewport, to name in a failure.
    const out = []
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect()
      if (r.right > 321 && !el.closest('.app-table-scroll') && !(el.parentElement && el.parentElement.getBoundingClientRect().right > 321)) {
        out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${Math.round(r.right)} px)`)
      }
    }
    return [document.documentElement.scrollWidth, out.slice(0, 5)]
  })
  if (process.env.REFLOW_SHOTS) await page.screenshot({ path: join(process.env.REFLOW_SHOTS, `${label.replace(/[^a-z0-9]+/gi, '-')}-320.png`), fullPage: true })
  await page.setViewportSize(desktop)
  assert.ok(width <= 320, `${label} scrolls sideways at 320 px: ${width} px wide, past the edge: ${wide.join(', ')}`)
}

export async function visit (page, path, label, { screenshot = false, status = 200 } = {}) {
  const response = await page.goto(base + path)
  assert.equal(response.status(), status, `${label}: ${path}`)
  await axe(page, label)
  if (screenshot) await page.screenshot({ path: join(ARTIFACTS, `${label.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true })
}

/** The two-step verification secrets set up in this run, by username. */
const twoStepSecrets = {}

/** The RFC 6238 code (SHA-1, 6 digits, 30-second steps) for a base32 secret, as an authenticator app shows it. */
export function totpCode (secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)))
  const h = createHmac('sha1', key).update(counter).digest()
  const o = h[h.length - 1] & 15
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0')
}

/** On the two-step set-up page: read the key given in text, enter the app's code, turn it on. */
export async function setUpTwoStep (page, username) {
  const secret = (await page.locator('#totp-secret').textContent()).trim()
  twoStepSecrets[username] = secret
  await page.getByLabel('Code', { exact: true }).fill(unusedCode(username, secret))
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click()
  await page.waitForLoadState()
}

/** Sign in as a person would: password, then (administrators) two-step set-up on first sign-in, or the
 * code from their app once it is set up. */
export async function signIn (page, username, password = signIns[username]) {
  await page.goto(base + '/sign-in')
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForLoadState()
  if (page.url().endsWith('/sign-in/code')) {
    await page.getByLabel('Code', { exact: true }).fill(unusedCode(username, twoStepSecrets[username]))
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForLoadState()
  } else if (page.url().endsWith('/account/two-step')) {
    await setUpTwoStep(page, username)
  }
  assert.ok(!page.url().endsWith('/sign-in'), `signed in as ${username}`)
}

export async function fillDate (page, day, month, year) {
  await page.getByLabel('Day').fill(String(day))
  await page.getByLabel('Month').fill(String(month))
  await page.getByLabel('Year').fill(String(year))
}


/** The last 30-second step whose code each account used in this run. */
const usedSteps = {}

/** A code not used before for this account: Waymark accepts each code once (RFC 6238 section 5.2), so a
 * second sign-in within the same 30 seconds takes the app's next code (one step ahead is within the
 * drift Waymark allows), as a person would wait for it. */
export function unusedCode (username, secret) {
  const now = Math.floor(Date.now() / 30000)
  const step = Math.max(now, (usedSteps[username] ?? -1) + 1)
  usedSteps[username] = step
  return totpCode(secret, step * 30000)
}
