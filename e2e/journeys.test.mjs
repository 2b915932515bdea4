// Waymark as people use it: signs in as each role of the demo area and walks their main journeys, with
// axe-core on every page visited (see harness.mjs). Before serving, a few education, health and social
// care facts about one demo child are imported with `waymark import`, for the record journeys.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { useWaymark, waymark, newPage, axe, visit, signIn, fillDate } from './harness.mjs'

const ARTIFACTS = waymark.artifacts
const checked = waymark.checked

useWaymark({ prepare: importFacts })

/** The UPN of a 12-character body: its check letter first (CBDS N00001). */
function upn (body) {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i + 2)
  return 'ABCDEFGHJKLMNPQRTUVWXYZ'[sum % 23] + body
}

/** Person-level facts about Amara Okafor (the demo's first child) from education, health and social
 * care, imported with `waymark import` as each agency's file would be. */
function importFacts (db, work) {
  const AMARA = upn('851399925001')
  const files = {
    ehe: `la,upn,start_date,end_date\n851,${AMARA},2023-09-04,2024-01-31\n`,
    cin: `la,social_care_id,upn,start_date,end_date,primary_need\n851,SC-E2E-1,${AMARA},2025-04-03,,N2\n`,
    'health-referrals': `la,nhs_number,upn,service,referral_date,first_appointment,closed_date,outcome\n851,9434765919,${AMARA},autism_assessment,2025-05-01,2025-11-20,,\n`
  }
  for (const [dataset, text] of Object.entries(files)) {
    const file = join(work, `e2e-${dataset}.csv`)
    writeFileSync(file, text)
    execFileSync(waymark.bin, ['import', dataset, file, '--db', db], { stdio: 'ignore' })
  }
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
  await visit(page, '/caseload?scope=all&stage=requested&sort=name', 'caseload filtered')
  await visit(page, '/my-work', 'my work', { screenshot: true })
  await visit(page, '/children?q=okafor', 'find a child')
  await visit(page, '/account', 'account')
  await visit(page, '/caseload?scope=all&q=Okafor', 'caseload search')
  const row = page.getByRole('row', { name: /Okafor, Amara/ }).first()
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
  const caseUrl = new URL(page.url()).pathname
  await visit(page, `${caseUrl}/placements/new?find=8`, 'record a placement')
  await visit(page, child, 'child record')
  // The decision just recorded has its letter: listed with its date, downloaded as a PDF and filed.
  await visit(page, `${caseUrl}/letters`, 'letters of a case')
  await page.getByRole('row', { name: /Decision to assess.*20 November 2026/ }).waitFor()
  const letter = await page.request.get(new URL(`${caseUrl}/letters/decision_to_assess.pdf`, page.url()).href)
  assert.equal(letter.status(), 200)
  assert.equal(letter.headers()['content-type'], 'application/pdf')
  assert.equal((await letter.body()).subarray(0, 5).toString(), '%PDF-')
  await visit(page, `${caseUrl}/documents`, 'documents with a letter filed')
  await page.getByText(/decision-to-assess-EHC-.*\.pdf/).first().waitFor()
  await page.context().close()
})

test('a SEND manager sees the dashboard with its tables, drills into a stage and reads the audit log', async () => {
  const page = await newPage()
  await signIn(page, 'demo.manager')
  await visit(page, '/dashboard', 'dashboard', { screenshot: true })
  // The casework pack's measures, each chart followed by its data (in a region that scrolls on its own).
  const dashCharts = await page.locator('svg.app-chart').count()
  assert.ok(dashCharts >= 3, `${dashCharts} charts`)
  assert.equal(await page.locator('svg.app-chart + .app-table-scroll table, svg.app-chart + table').count(), dashCharts)
  await visit(page, '/dashboard/stage/assessing', 'dashboard drill-down')
  await visit(page, '/dashboard/print', 'dashboard print')
  await visit(page, '/audit', 'audit log', { screenshot: true })
  await page.context().close()
})

test('a SEND manager opens each framework dashboard, drills down by need and locality, and exports it', async () => {
  const page = await newPage()
  await signIn(page, 'demo.manager')
  await visit(page, '/dashboard', 'dashboard with frameworks')
  await page.getByRole('link', { name: /EHC plan/ }).first().click()
  await page.waitForLoadState()
  assert.match(page.url(), /\/dashboard\/frameworks\//)
  await axe(page, 'framework dashboard')
  await page.screenshot({ path: join(ARTIFACTS, 'framework-dashboard.png'), fullPage: true })
  await page.getByRole('heading', { name: 'At a glance' }).waitFor()
  // Every chart is followed by its data table; ratings are words, not colour alone.
  const charts = await page.locator('svg.app-chart').count()
  const tables = await page.locator('svg.app-chart + .app-table-scroll table, svg.app-chart + table').count()
  assert.equal(tables, charts, 'each chart is followed by its table')
  // Drill down with the form (GET, works without JavaScript).
  const needs = await page.getByLabel('Primary need').locator('option').count()
  if (needs > 1) {
    await page.getByLabel('Primary need').selectOption({ index: 1 })
    await page.getByRole('button', { name: 'Show figures' }).click()
    await page.waitForLoadState()
    assert.match(page.url(), /need=/)
    await axe(page, 'framework dashboard by need')
  }
  const localities = await page.getByLabel('Locality').locator('option').count()
  if (localities > 1) {
    await page.getByLabel('Locality').selectOption({ index: 1 })
    await page.getByRole('button', { name: 'Show figures' }).click()
    await page.waitForLoadState()
    await axe(page, 'framework dashboard by locality')
    // A count leads to the cases behind it, each a link to its case.
    const behind = page.getByRole('link', { name: /See the cases behind the latest figure/ })
    if (await behind.count() > 0) {
      await behind.first().click()
      await page.waitForLoadState()
      await page.getByRole('heading', { name: /The cases behind/ }).waitFor()
      await axe(page, 'cases behind a figure')
      assert.ok(await page.locator('a[href^="/cases/"]').count() > 0, 'the cases behind a figure link to their cases')
      await page.goBack()
    }
  }
  for (const id of ['portsmouth-2016', 'hertfordshire-2015', 'peterborough-2017', 'ofsted-area-send']) {
    await visit(page, `/dashboard/frameworks/${id}`, `framework ${id}`, { screenshot: id === 'portsmouth-2016' })
  }
  await visit(page, '/dashboard/frameworks/dfe-ehcp/print', 'framework print version', { screenshot: true })
  const csv = await page.request.get(waymark.base + '/dashboard/frameworks/dfe-ehcp/data.csv')
  assert.equal(csv.status(), 200)
  assert.equal((await csv.text()).split('\n')[0], 'framework,indicator,period,la,cohort,numerator,denominator,value,target,rag')
  const xlsx = await page.request.get(waymark.base + '/dashboard/frameworks/dfe-ehcp/data.xlsx')
  assert.equal(xlsx.status(), 200)
  await page.context().close()
})

test('a board member reads a framework dashboard: aggregates only, manual and awaiting-data indicators said plainly', async () => {
  const page = await newPage()
  await signIn(page, 'demo.board')
  await visit(page, '/dashboard/frameworks/portsmouth-2016', 'framework dashboard for the board', { screenshot: true })
  await page.getByText(/Awaiting data/).first().waitFor()
  await page.getByText(/Entered by hand/).first().waitFor()
  assert.equal(await page.getByText('Amara Okafor').count(), 0, 'no child on a board page')
  await visit(page, '/sen2', 'SEN2 refused to the board', { status: 403 })
  await page.context().close()
})

test('a board member reads the forecast: a fan chart with its table, a what-if against the baseline, the back-test and a download', async () => {
  const page = await newPage()
  await signIn(page, 'demo.board')
  // The first view derives the forecast from the whole area's records and simulates: allow it time.
  const response = await page.goto(waymark.base + '/forecast', { timeout: 300000 })
  assert.equal(response.status(), 200)
  await axe(page, 'forecast')
  await page.screenshot({ path: join(ARTIFACTS, 'forecast.png'), fullPage: true })
  assert.equal(await page.locator('svg.app-chart').count(), 1)
  assert.equal(await page.locator('svg.app-chart + table, svg.app-chart + .app-table-scroll > table').count(), 1, 'the chart is followed by its table')
  await page.getByRole('heading', { name: 'How far to trust it' }).waitFor()
  await page.getByLabel('Change in new EHC plans (%)').fill('10')
  await page.getByLabel(/A setting opening/).selectOption({ label: 'State-funded special schools' })
  await page.getByLabel('Places in the setting opening').fill('60')
  await page.getByRole('button', { name: 'Compare' }).click()
  await page.waitForLoadState()
  await page.getByText(/Scenario: new plans \+10%, state-funded special schools opening with 60 places/).waitFor()
  assert.equal(await page.locator('svg.app-chart').count(), 2, 'the scenario has its chart')
  await page.getByRole('table', { name: /Places in State-funded special schools/ }).waitFor()
  await axe(page, 'forecast with a scenario')
  await page.getByLabel('Change in new EHC plans (%)').fill('lots')
  await page.getByRole('button', { name: 'Compare' }).click()
  await page.waitForLoadState()
  await page.locator('.govuk-error-summary').waitFor()
  await axe(page, 'forecast with a mistake in the what-if')
  const csv = await page.request.get(waymark.base + '/forecast/data.csv?table=totals')
  assert.equal(csv.status(), 200)
  assert.equal((await csv.text()).split('\n')[0], 'calendar-year,mean,sd,q05,q25,q50,q75,q95,cost-mean')
  const xlsx = await page.request.get(waymark.base + '/forecast/data.xlsx')
  assert.equal(xlsx.status(), 200)
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK', 'a workbook')
  await page.context().close()
})

test('a caseworker and a manager check the SEN2 return and go from a finding to the case to fix', async () => {
  for (const who of ['demo.caseworker', 'demo.manager']) {
    const page = await newPage()
    await signIn(page, who)
    await visit(page, '/sen2', `SEN2 return ${who}`, { screenshot: who === 'demo.caseworker' })
    await page.getByRole('heading', { name: /SEN2 return \d{4}: errors and queries/ }).waitFor()
    await visit(page, '/sen2?year=2025', `SEN2 return 2025 ${who}`)
    const open = page.getByRole('link', { name: /Open the (case|record)/ }).first()
    if (await open.count()) {
      await open.click()
      await page.waitForLoadState()
      assert.match(page.url(), /\/(cases|children)\//)
      await axe(page, `case from a SEN2 finding ${who}`)
    }
    await page.context().close()
  }
})

test('the multi-agency record shows each role the facts it may see', async () => {
  const page = await newPage()
  await signIn(page, 'demo.caseworker')
  // Find Amara by her UPN through the caseload API, page by page (the demo may hold a generated area
  // as well, whose invented names can repeat hers).
  const amara = upn('851399925001')
  let child
  for (let n = 1; n <= 400 && !child; n++) {
    const reply = await (await page.request.get(`${waymark.base}/api/v1/caseload?scope=all&q=${amara}&page=${n}`)).json()
    const hit = reply.items.find(i => i.upn === amara)
    if (hit) child = `/children/${hit.child_id}`
    if (n * reply.page_size >= reply.total) break
  }
  assert.ok(child, "Amara Okafor's record is in the caseload")
  await visit(page, child, 'multi-agency record for the LA', { screenshot: true })
  for (const heading of ['Elective home education', 'Health', 'Social care']) {
    await page.getByRole('heading', { name: heading, exact: true }).first().waitFor()
  }
  await page.getByText('Autism assessment').first().waitFor()
  await page.context().close()

  // The SENCO of Amara's school reads her education facts only.
  const senco = await newPage()
  await signIn(senco, 'demo.senco')
  await visit(senco, child, 'multi-agency record for a SENCO', { screenshot: true })
  await senco.getByRole('heading', { name: 'Elective home education' }).waitFor()
  assert.equal(await senco.locator('#facts-health, #facts-social-care').count(), 0, 'no health or social care facts for a SENCO')
  assert.equal(await senco.getByText('Autism assessment').count(), 0)
  await senco.context().close()

  // Her parent reads everything about their own child; a board member reaches no child at all.
  const parent = await newPage()
  await signIn(parent, 'demo.parent')
  await visit(parent, child, 'multi-agency record for a parent')
  await parent.getByText('Autism assessment').first().waitFor()
  await parent.context().close()
  const board = await newPage()
  await signIn(board, 'demo.board')
  await visit(board, child, 'record refused to the board', { status: 404 })
  await board.context().close()
})

test('an administrator sees users and roles and the form to add one', async () => {
  const page = await newPage()
  await signIn(page, 'demo.admin')
  await visit(page, '/admin/users', 'users', { screenshot: true })
  await visit(page, '/admin/users/new', 'add a user')
  await visit(page, '/sen2', 'SEN2 return for an administrator')
  await visit(page, '/admin/sen2-settings', 'SEN2 header items')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('There is a problem').waitFor()
  await axe(page, 'add a user with errors')
  // The demo administrator runs every LA, so chooses one first.
  await visit(page, '/admin/letters', 'letter templates: choose the LA')
  await page.getByRole('button', { name: 'Show its letters' }).click()
  await page.getByRole('link', { name: 'Draft plan notice' }).click()
  await page.getByRole('heading', { name: 'Draft plan notice' }).waitFor()
  await axe(page, 'a letter template')
  await page.getByRole('button', { name: 'Preview' }).click()
  await page.getByRole('heading', { name: 'Preview' }).waitFor()
  await axe(page, 'a letter template previewed')
  // Single sign-on's groups (issue 14): the table works whether or not sign-in is set up yet.
  await visit(page, '/admin/sign-in-groups', 'sign-in groups')
  await page.getByRole('button', { name: 'Give this group the role' }).click()
  await page.getByText('There is a problem').waitFor()
  await axe(page, 'sign-in groups with errors')
  await page.getByLabel('Group id').fill('5f6a1c2e-0b7d-4e43-9a51-3c8d2f0e7b19')
  await page.getByLabel('Role').selectOption({ label: 'LA caseworker' })
  await page.getByLabel(/Local authority/).fill('851')
  await page.getByRole('button', { name: 'Give this group the role' }).click()
  await page.getByRole('cell', { name: 'Portsmouth (851)' }).waitFor()
  await axe(page, 'sign-in groups with one group')
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
  await visit(page, '/my-work', 'my work for health')
  await visit(page, '/advice?status=overdue', 'advice requests overdue')
  await visit(page, '/advice', 'advice requests', { screenshot: true })
  await page.getByRole('link', { name: /Submit advice/ }).first().click()
  await page.waitForLoadState()
  await axe(page, 'submit advice form')
  // Health is the only advice a health professional gives: stated on the form, not asked.
  assert.equal(await page.getByLabel('Health').count(), 0)
  await page.getByLabel("The child's or young person's needs").fill('Sensory processing differences make a busy classroom hard to bear.')
  await page.getByLabel('The outcomes sought').fill('By the summer term, stays in class for whole lessons.')
  await page.getByLabel('The provision required').fill('A quiet workspace and movement breaks, reviewed termly by the OT.')
  await page.setInputFiles('#file', { name: 'OT report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') })
  await page.getByRole('button', { name: 'Send your advice' }).click()
  await page.getByText('Your advice has been sent to the council.').waitFor()
  await axe(page, 'advice sent, for health')
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
  assert.ok(checked.size >= 45, `${checked.size} pages checked: ${[...checked].join(', ')}`)
})
