// Families' voice as people use it (issue 16): a SEND manager builds and publishes a survey, twenty
// families answer it anonymously through the public link (one in the browser, page by page through
// the GOV.UK question pages, nineteen by the same pages' HTTP requests), the manager reads the results (charts with
// their tables, small numbers suppressed), tags a theme, and publishes a "you said, we did" entry that
// the public page lists. axe and 320 px reflow on every page (see harness.mjs). The framework's
// satisfaction indicator following the responses is checked in crates/web/tests/surveys.rs (computing
// the demo's frameworks would add half a minute here).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'playwright-core'
import { useWaymark, waymark, newPage, axe, visit, signIn } from './harness.mjs'

// The demo area's day (waymark.today): Sunday 22 November 2026.
const [YEAR, MONTH, DAY] = waymark.today.split('-').map(Number)

useWaymark()

test('a manager publishes a survey, families answer anonymously, results and "you said, we did" follow', async () => {
  const page = await newPage()
  await signIn(page, 'demo.manager')
  await visit(page, '/surveys', 'families voice')
  await page.getByRole('button', { name: 'Create a survey' }).click()
  await page.waitForLoadState()
  await axe(page, 'create a survey')
  // A mistake first: no options for a choice question.
  await page.getByLabel('Survey title').fill('Your experience of the EHC process')
  await page.getByLabel('Question', { exact: true }).fill('How satisfied are you with the EHC process?')
  await page.getByLabel('Choose one option').check()
  await page.getByLabel('Short name for reports').fill('satisfaction')
  await page.getByRole('button', { name: 'Create survey' }).click()
  await page.waitForLoadState()
  await page.locator('.govuk-error-summary').waitFor()
  await axe(page, 'create a survey with errors')
  await page.getByLabel('A scale from 1 to 5').check()
  await page.getByLabel('Options', { exact: true }).fill('Very dissatisfied\nVery satisfied')
  await page.getByRole('button', { name: 'Create survey' }).click()
  await page.waitForLoadState()
  // A free-text question.
  await page.getByLabel('Question', { exact: true }).fill('What could we do better?')
  await page.getByLabel('Free text').check()
  await page.getByLabel('Short name for reports').fill('better')
  await page.getByRole('button', { name: 'Add question' }).click()
  await page.waitForLoadState()
  await axe(page, 'survey before publishing')
  // A draft's question can still change.
  await page.getByRole('link', { name: 'Change or remove question 2' }).click()
  await page.waitForLoadState()
  await axe(page, 'change a question')
  await page.getByLabel('Question', { exact: true }).fill('What could we do better?')
  await page.getByRole('button', { name: 'Save question' }).click()
  await page.waitForLoadState()
  await page.getByRole('button', { name: 'Publish survey' }).click()
  await page.waitForLoadState()
  await axe(page, 'survey published')
  const publicPath = await page.getByRole('link', { name: 'Open the public survey' }).getAttribute('href')
  const surveyPath = new URL(page.url()).pathname

  // A family, in their own browser without signing in, answers one question a page.
  const family = await newPage()
  await family.goto(waymark.base + publicPath)
  await axe(family, 'public survey start')
  await family.getByRole('button', { name: 'Start now' }).click()
  await family.waitForLoadState()
  await axe(family, 'public survey scale question')
  await family.getByLabel('2', { exact: true }).check()
  await family.getByRole('button', { name: 'Continue' }).click()
  await family.waitForLoadState()
  await axe(family, 'public survey free-text question')
  await family.getByLabel('What could we do better?').fill('Please answer the phone <sooner>')
  await family.getByRole('button', { name: 'Continue' }).click()
  await family.waitForLoadState()
  // A name with no way to reach them: the page says what is missing.
  await family.getByLabel('Your name (optional)').fill('Sam')
  await family.getByRole('button', { name: 'Continue' }).click()
  await family.waitForLoadState()
  await family.locator('.govuk-error-summary').waitFor()
  await axe(family, 'public survey contact details with errors')
  await family.getByLabel('Your name (optional)').fill('')
  await family.getByRole('button', { name: 'Continue' }).click()
  await family.waitForLoadState()
  await axe(family, 'public survey check your answers')
  // Change the first answer from "Check your answers", which comes back to it.
  await family.getByRole('link', { name: 'Change your answer to question 1' }).click()
  await family.waitForLoadState()
  await family.getByLabel('5 (Very satisfied)', { exact: true }).check()
  await family.getByRole('button', { name: 'Continue' }).click()
  await family.waitForLoadState()
  assert.match(await family.locator('main').innerText(), /5 \(Very satisfied\)[\s\S]*Please answer the phone <sooner>/)
  await family.getByRole('button', { name: 'Send your answers' }).click()
  await family.waitForLoadState()
  await axe(family, 'survey thank you')
  await family.context().close()

  // Nineteen more families, as the same pages take them without a browser: start, the first
  // question, check your answers, send (each a fresh visit with its own cookies).
  for (let i = 0; i < 19; i++) {
    const context = await request.newContext({ baseURL: waymark.base })
    const start = await context.get(publicPath)
    const csrf = (await start.text()).match(/name="csrf" value="([^"]+)"/)[1]
    const post = (path, form) => context.post(path, { form, maxRedirects: 0 })
    assert.equal((await post(publicPath, { csrf })).headers().location, `${publicPath}/question/1`)
    await post(`${publicPath}/question/1`, { csrf, 'q-satisfaction': i < 16 ? '5' : '2' })
    if (i === 0) await post(`${publicPath}/question/2`, { csrf, 'q-better': 'Please answer the phone <sooner>' })
    assert.equal((await post(`${publicPath}/check`, { csrf })).headers().location, `${publicPath}/thanks`)
    await context.dispose()
  }

  await visit(page, `${surveyPath}/results`, 'survey results')
  const body = await page.locator('main').innerText()
  assert.match(body, /Responses: 20/)
  // 17 and 3 would reveal one another: both shown as "c".
  assert.ok(await page.locator('td', { hasText: /^c$/ }).count() >= 2, 'small numbers suppressed')
  assert.equal(await page.locator('svg.app-chart').count(), await page.locator('svg.app-chart + .app-table-scroll table').count(), 'each chart is followed by its table')
  assert.match(body, /Please answer the phone <sooner>/)
  await page.getByLabel('Add a theme to this answer').first().fill('Communication')
  await page.getByRole('button', { name: 'Add theme' }).first().click()
  await page.waitForLoadState()
  await axe(page, 'survey results with a theme')

  await visit(page, '/surveys/you-said-we-did', 'you said we did form')
  await page.getByLabel('You said').fill('Nobody answers the phone')
  await page.getByLabel('We did').fill('A duty officer now answers the SEND line every weekday')
  await page.getByLabel('Themes (optional)').fill('Communication')
  await page.getByRole('button', { name: 'Publish entry' }).click()
  await page.waitForLoadState()

  const visitor = await newPage()
  await visit(visitor, '/local-offer/you-said-we-did', 'you said we did public page')
  assert.match(await visitor.locator('main').innerText(), /A duty officer now answers the SEND line every weekday/)
  await visitor.context().close()

  await page.context().close()
})

test('staff keep the compliments and complaints log and the co-production log', async () => {
  const page = await newPage()
  await signIn(page, 'demo.manager')
  await visit(page, '/surveys/complaints/new', 'record a complaint')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForLoadState()
  await page.locator('.govuk-error-summary').waitFor()
  await axe(page, 'record a complaint with errors')
  await page.getByLabel('Complaint: stage 1').check()
  await page.getByLabel('Day').fill(String(DAY))
  await page.getByLabel('Month').fill(String(MONTH))
  await page.getByLabel('Year').fill(String(YEAR))
  await page.getByLabel('What is it about?').fill('The draft plan came late and nobody called back')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForLoadState()
  await axe(page, 'a complaint')
  // Received on the demo's day, a Sunday: the 10 working days run from the Monday.
  assert.match(await page.locator('main').innerText(), /due by 7 December 2026 \(10 working days after it was received\)/)
  await visit(page, '/surveys/complaints', 'complaints log')
  assert.match(await page.locator('main').innerText(), /The draft plan came late/)
  await visit(page, '/surveys/co-production/new', 'record a co-production meeting')
  await page.getByLabel('Day').fill(String(DAY))
  await page.getByLabel('Month').fill(String(MONTH))
  await page.getByLabel('Year').fill(String(YEAR))
  await page.getByLabel('Meeting', { exact: true }).check()
  await page.getByLabel('What was it about?').fill('Parent carer forum steering group')
  await page.getByLabel('Parent carer forum representatives').fill('6')
  await page.getByLabel('What was decided or agreed?').fill('Review letters will name who to contact.')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForLoadState()
  await axe(page, 'co-production log')
  assert.match(await page.locator('main').innerText(), /6 in all/)
  await page.context().close()
})
