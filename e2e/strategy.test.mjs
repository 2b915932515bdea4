// The SEND strategy as people use it (issue 17): a board member reads the delivery plan by strand with
// live indicator values and ratings; the owner of a deliverable updates its status and writes the
// quarter's note; the strategy lead reads the self-evaluation, its history and the Peterborough layout;
// the board report downloads as DOCX and PDF. axe and 320 px reflow on every page (harness.mjs).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useWaymark, waymark, newPage, axe, visit, signIn } from './harness.mjs'

useWaymark()

test('a board member reads the delivery plan by strand with live indicators', async () => {
  const page = await newPage()
  // The board's first page (the dashboard) and the strategy compute the area's frameworks: allow time.
  page.setDefaultTimeout(300000)
  await signIn(page, 'demo.board')
  const response = await page.goto(waymark.base + '/strategy')
  assert.equal(response.status(), 200)
  await axe(page, 'strategy')
  await page.getByRole('heading', { name: 'Strand B: Successful implementation of the SEND Reforms' }).waitFor()
  await page.getByText('Improved percentage of EHCPs completed within statutory timescales').waitFor()
  assert.ok(await page.getByText('New plans issued within 20 weeks, excluding exceptions', { exact: false }).count() > 0, 'the linked indicator shows')
  const body = await page.locator('main').innerText()
  assert.ok(!/on_track|not_started|dfe-ehcp\//.test(body), 'no codes on the page')
  await visit(page, '/strategy/deliverables/B6', 'strategy deliverable as the board')
  assert.equal(await page.getByRole('button', { name: 'Save the update' }).count(), 0, 'the board reads only')
  await page.context().close()
})

test('the owner of a deliverable updates its status and writes the quarter\'s note', async () => {
  const page = await newPage()
  await signIn(page, 'demo.caseworker')
  page.setDefaultTimeout(300000)
  await visit(page, '/strategy/deliverables/B6', 'strategy deliverable as its owner')
  // Neither a new status nor a note: the form says what is missing.
  await page.getByRole('button', { name: 'Save the update' }).click()
  await page.waitForLoadState()
  await page.locator('.govuk-error-summary').waitFor()
  await axe(page, 'strategy deliverable with a mistake')
  await page.getByLabel('At risk').check()
  await page.getByRole('textbox', { name: 'Progress note' }).fill('Two caseworkers left; agency cover from next month.')
  await page.getByRole('button', { name: 'Save the update' }).click()
  await page.waitForLoadState()
  await page.getByRole('cell', { name: 'Two caseworkers left; agency cover from next month.' }).waitFor()
  await axe(page, 'strategy deliverable updated')
  await page.context().close()
})

test('the strategy lead reads the self-evaluation, its history and the Peterborough layout, and downloads the board report', async () => {
  const page = await newPage()
  await signIn(page, 'demo.strategy')
  await visit(page, '/strategy/self-evaluation', 'self-evaluation')
  await visit(page, '/strategy/self-evaluation?layout=peterborough', 'self-evaluation Peterborough layout')
  await page.getByText('What we know').first().waitFor()
  await visit(page, '/strategy/self-evaluation/history', 'self-evaluation history')
  await page.getByText(/Leaders evaluate services and make improvements, from not judged to inconsistent/).waitFor()
  await visit(page, '/strategy/self-evaluation/areas/leaders-ambitious', 'self-evaluation area form')
  await visit(page, '/strategy/report', 'board report form')
  const quarter = await page.getByLabel('Quarter').inputValue()
  for (const [format, magic] of [['docx', 'PK'], ['pdf', '%PDF']]) {
    const r = await page.request.get(`${waymark.base}/strategy/report/download?quarter=${quarter}&format=${format}`)
    assert.equal(r.status(), 200, format)
    assert.equal((await r.body()).subarray(0, magic.length).toString(), magic, format)
  }
  await page.context().close()
})

test('the strategy lead publishes the strategy and anyone reads it without signing in', async () => {
  const page = await newPage()
  page.setDefaultTimeout(300000)
  await signIn(page, 'demo.strategy')
  await visit(page, '/strategy/evidence', 'inspection evidence form')
  await visit(page, '/strategy/import', 'strategy import form')
  await page.goto(waymark.base + '/strategy')
  await page.getByRole('button', { name: 'Publish the strategy for families' }).click()
  await page.waitForLoadState()
  const href = await page.getByRole('link', { name: 'read the published strategy' }).getAttribute('href')
  await page.context().close()
  const visitor = await newPage()
  await visit(visitor, href, 'published strategy, not signed in')
  await visitor.getByRole('heading', { name: 'Our SEND strategy and how it is going' }).waitFor()
  const body = await visitor.locator('main').innerText()
  assert.ok(!/on_track|dfe-ehcp|By whom/.test(body), 'no codes, owners or boards on the published page')
  await visitor.context().close()
})
