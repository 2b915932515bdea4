// The Local Offer as families, providers and the council's officer use it (issue 15): a family finds an
// autism-friendly swimming session within 5 miles of a postcode without signing in; a provider's change
// appears only once the Local Offer officer approves it. axe and 320 px reflow on every page.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useWaymark, newPage, axe, visit, signIn } from './harness.mjs'

useWaymark()

test('a family finds an autism-friendly swimming session within 5 miles of a postcode without signing in', async () => {
  const page = await newPage()
  await visit(page, '/local-offer', 'local offer search', { screenshot: true })
  await page.getByLabel('Search words').fill('swimming')
  await page.getByLabel('Postcode', { exact: true }).fill('PO1 2AB')
  await page.getByLabel('Within').selectOption('5')
  await page.getByLabel('Autism-friendly hours').check()
  await page.getByRole('button', { name: 'Search' }).click()
  await page.waitForLoadState()
  await page.getByRole('status').filter({ hasText: 'found' }).waitFor()
  assert.match(await page.getByRole('status').textContent(), /\d+ services? found/)
  await axe(page, 'local offer results')
  const first = page.locator('main h3 a').first()
  assert.match(await first.textContent(), /swim/i)
  assert.match(await page.locator('main li p.govuk-body-s').first().textContent(), /miles away/)
  await first.click()
  await page.waitForLoadState()
  await axe(page, 'local offer service')
  assert.ok(await page.getByText('Autism-friendly hours').count() > 0)
  assert.ok(await page.getByRole('link', { name: 'Give feedback on this service' }).count() === 1)
  await visit(page, '/local-offer?age=40&postcode=nowhere', 'local offer search errors', { status: 400 })
  assert.ok(await page.getByRole('link', { name: /Enter an age/ }).count() === 1)
  await page.context().close()
})

test('a provider changes a listing and it is public only once the Local Offer officer approves it', async () => {
  const provider = await newPage()
  await signIn(provider, 'demo.provider')
  assert.ok(provider.url().endsWith('/local-offer/provider'))
  await axe(provider, 'provider listings')
  await provider.getByRole('link', { name: /^Change/ }).first().click()
  await provider.waitForLoadState()
  await axe(provider, 'provider edit')
  const name = provider.getByLabel('Name of the service')
  const renamed = `${await name.inputValue()} (twilight session)`
  await name.fill(renamed)
  await provider.getByRole('button', { name: 'Send for approval' }).click()
  await provider.getByText('Your change has been sent for approval').waitFor()
  await axe(provider, 'provider change sent')
  await provider.context().close()

  const family = await newPage()
  await visit(family, '/local-offer?q=twilight', 'local offer before approval')
  assert.equal(await family.getByText(renamed).count(), 0, 'not public before approval')

  const officer = await newPage()
  await signIn(officer, 'demo.localoffer')
  await visit(officer, '/local-offer/changes', 'officer queue')
  await officer.getByRole('link', { name: renamed }).click()
  await officer.waitForLoadState()
  await axe(officer, 'officer change diff')
  await officer.getByLabel('Approve: publish the change').check()
  await officer.getByRole('button', { name: 'Save decision' }).click()
  await officer.getByText('Change approved and published').waitFor()
  await visit(officer, '/local-offer/report', 'local offer report')
  await officer.context().close()

  await visit(family, '/local-offer?q=twilight', 'local offer after approval')
  assert.ok(await family.getByText(renamed).count() > 0, 'public after approval')
  await family.context().close()
})
