// Notifications and accounts as people meet them: a caseworker requests health advice and the health
// service's inbox (an SMTP receiver this file starts on loopback, which `waymark serve --smtp-url`
// delivers to) gets an email with the due date; the health professional finds it in the application;
// an administrator sets up two-step verification, invites a new colleague, who sets their own password
// from the emailed link and signs in; the outbox page shows what was sent. Then the contributions (issue 13
// items 5-6): the health professional sends structured advice with a report, the caseworker issues the
// draft, the parent sees the advice, sends their views and comments on the draft, downloads the plan, and an
// administrator finds every step in the audit log. axe and 320 px reflow on every page.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { useWaymark, waymark, newPage, axe, visit, signIn, setUpTwoStep, fillDate } from './harness.mjs'

/** Messages the receiver accepted: { to, data }. */
const inbox = []

/** A minimal SMTP receiver (EHLO, MAIL, RCPT, DATA, QUIT) on a free loopback port. */
function smtpReceiver () {
  return new Promise(resolve => {
    const server = createServer(socket => {
      // The receiver never keeps the test process alive: when the journeys end, so does the process.
      socket.unref()
      let buffer = ''
      let inData = false
      let to = ''
      let data = ''
      socket.write('220 e2e-receiver ready\r\n')
      socket.on('data', chunk => {
        buffer += chunk.toString('utf8')
        let end
        while ((end = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (inData) {
            if (line === '.') {
              inData = false
              inbox.push({ to, data })
              data = ''
              socket.write('250 accepted\r\n')
            } else {
              data += (line.startsWith('.') ? line.slice(1) : line) + '\n'
            }
            continue
          }
          const upper = line.toUpperCase()
          if (upper.startsWith('EHLO') || upper.startsWith('HELO')) socket.write('250-e2e-receiver\r\n250 8BITMIME\r\n')
          else if (upper.startsWith('RCPT TO:')) { to = line.slice(8).trim().replace(/[<>]/g, ''); socket.write('250 ok\r\n') } else if (upper.startsWith('DATA')) { inData = true; socket.write('354 go ahead\r\n') } else if (upper.startsWith('QUIT')) { socket.end('221 bye\r\n') } else socket.write('250 ok\r\n')
        }
      })
      socket.on('error', () => {})
    })
    server.listen(0, '127.0.0.1', () => { server.unref(); resolve(server) })
  })
}

const receiver = await smtpReceiver()
const smtpPort = receiver.address().port
useWaymark({ serveArgs: ['--smtp-url', `smtp://127.0.0.1:${smtpPort}`, '--mail-poll-seconds', '1'] })
after(() => receiver.close())

/** Wait (up to 15 s) for an email to `to` whose text matches `pattern`; the worker polls every second. */
async function emailTo (to, pattern) {
  for (let i = 0; i < 150; i++) {
    const found = inbox.find(m => m.to === to && pattern.test(m.data.replace(/=\n/g, '')))
    if (found) return found.data.replace(/=\n/g, '')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  assert.fail(`no email to ${to} matching ${pattern}; received: ${inbox.map(m => m.to).join(', ')}`)
}

test('a caseworker requests health advice and the health service gets an email with the due date', async () => {
  const page = await newPage()
  await signIn(page, 'demo.caseworker')
  await page.goto(waymark.base + '/caseload?scope=all&q=Okafor')
  await page.getByRole('row', { name: /Okafor, Amara/ }).first().getByRole('link').click()
  await page.waitForLoadState()
  await page.getByRole('link', { name: 'Record the decision whether to assess' }).click()
  await page.getByLabel('Yes, to assess').check()
  await fillDate(page, 20, 11, 2026)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved: Record the decision whether to assess').waitFor()
  await page.getByRole('link', { name: 'Request advice' }).click()
  await page.getByLabel('Health', { exact: true }).check()
  await fillDate(page, 20, 11, 2026)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved: Request advice').waitFor()
  // 6 weeks from 20 November 2026 (SEND Regulations 2014 reg 8(1)).
  const mail = await emailTo('demo.health@waymark.invalid', /due by Friday 1 January 2027/)
  assert.match(mail, /send your advice by Friday 1 January 2027/)
  assert.match(mail, /A\.O\./)
  assert.doesNotMatch(mail, /Amara|Okafor/, 'no child name in the email')
  // The family was told of the decision, by email too.
  await emailTo('demo.parent@waymark.invalid', /decided to carry out an EHC needs assessment/)
  await page.context().close()

  const health = await newPage()
  await signIn(health, 'demo.health')
  await visit(health, '/notifications', 'notifications list')
  await health.getByText(/advice requested, due by Friday 1 January 2027/).first().waitFor()
  await visit(health, '/account', 'account with email choices')
  await health.getByLabel('Advice or views are asked of you').uncheck()
  await health.getByRole('button', { name: 'Save email choices' }).click()
  await health.waitForLoadState()
  assert.equal(await health.getByLabel('Advice or views are asked of you').isChecked(), false)
  await health.context().close()
})

test('an administrator sets up two-step verification and invites a colleague, who sets their own password', async () => {
  const page = await newPage()
  await page.goto(waymark.base + '/sign-in')
  await page.getByLabel('Username').fill('demo.admin')
  await page.getByLabel('Password').fill(waymark.password('demo.admin'))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForLoadState()
  assert.ok(page.url().endsWith('/account/two-step'), 'an administrator is sent to set up two-step verification')
  await axe(page, 'two-step set-up')
  await setUpTwoStep(page, 'demo.admin')
  await visit(page, '/admin/users/new', 'invite a user')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('There is a problem').waitFor()
  await axe(page, 'invite a user with errors')
  await page.getByLabel('Username').fill('sam.new')
  await page.getByLabel('Full name').fill('Sam New')
  await page.getByLabel('LA caseworker').check()
  await page.getByLabel('Local authority number').fill('851')
  await page.getByLabel('Email address').fill('sam.new@council.example')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('An invitation to choose a password has been sent').waitFor()
  await axe(page, 'user invited')
  const mail = await emailTo('sam.new@council.example', /invitation/)
  const link = waymark.base + new URL(mail.match(/https?:\/\/\S+\/invitation\/[A-Za-z0-9_-]+/)[0]).pathname
  await visit(page, '/admin/outbox', 'email outbox', { screenshot: true })
  await visit(page, '/admin/users', 'users with last sign-in')
  await page.context().close()

  const sam = await newPage()
  await sam.goto(link)
  await axe(sam, 'choose your password')
  await sam.getByLabel('Password', { exact: true }).fill('velvet harbour quietly tomato')
  await sam.getByLabel('Enter the password again').fill('velvet harbour quietly tomato')
  await sam.getByRole('button', { name: 'Set my password' }).click()
  await sam.getByText('Your password is set').waitFor()
  await signIn(sam, 'sam.new', 'velvet harbour quietly tomato')
  await visit(sam, '/account', 'new colleague account and sessions')
  await visit(sam, '/account/two-step', 'optional two-step set-up')
  await sam.goto(link)
  await sam.getByRole('heading', { name: 'This link cannot be used' }).waitFor()
  await axe(sam, 'used invitation link')
  await sam.context().close()
})

/** A small whole PDF, as a scanned report would be (the upload is checked by its content). */
const REPORT = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')

test('the adviser sends advice with a report; the parent sees it, sends views and comments on the draft; all audited', async () => {
  // The caseworker finds Amara's case (the one whose health advice was asked for above).
  const cw = await newPage()
  await signIn(cw, 'demo.caseworker')
  await cw.goto(waymark.base + '/caseload?scope=all&q=Okafor')
  await cw.getByRole('row', { name: /Okafor, Amara/ }).first().getByRole('link').click()
  await cw.waitForLoadState()
  const caseId = cw.url().match(/\/cases\/([0-9a-f-]+)/)[1]

  const health = await newPage()
  await signIn(health, 'demo.health')
  await visit(health, `/advice/${caseId}/give`, 'give advice')
  // Asked on 20 November 2026: due 6 weeks later (reg 8(1)).
  assert.match(await health.locator('main').innerText(), /due by (Friday )?1 January 2027/)
  await health.getByRole('button', { name: 'Send your advice' }).click()
  await health.getByText('Enter the outcomes sought').first().waitFor()
  await axe(health, 'give advice with errors')
  await health.getByLabel("The child's or young person's needs").fill('Amara finds it hard to follow spoken instructions.')
  await health.getByLabel('The outcomes sought').fill('By July, Amara follows two-step instructions in class.')
  await health.getByLabel('The provision required').fill('Speech and language therapy, 30 minutes weekly for a year, NHS therapist.')
  await health.setInputFiles('#file', { name: 'SALT report.pdf', mimeType: 'application/pdf', buffer: REPORT })
  await health.getByRole('button', { name: 'Send your advice' }).click()
  await health.getByText('Your advice has been sent to the council.').waitFor()
  await axe(health, 'what has been sent, as the adviser')
  await health.context().close()

  // The caseworker issues the draft on the demo's today (22 November 2026): the family has to 6 December.
  await cw.goto(waymark.base + `/cases/${caseId}`)
  await cw.getByRole('link', { name: 'Issue a draft plan' }).click()
  const [year, month, day] = waymark.today.split('-').map(Number)
  await fillDate(cw, day, month, year)
  await cw.getByLabel(/^Section A/).fill('Amara loves drawing and her little brother.')
  await cw.getByRole('button', { name: 'Continue' }).click()
  await cw.getByRole('button', { name: 'Save' }).click()
  await cw.getByText('Saved: Issue a draft plan').waitFor()
  await cw.context().close()

  const parent = await newPage()
  await signIn(parent, 'demo.parent')
  await visit(parent, `/my-journey/${caseId}`, 'journey with have your say')
  await parent.getByText(/until 6 December 2026 to comment on the draft and to ask for a school or college/).waitFor()
  await parent.getByRole('link', { name: 'See the advice given online and what you have sent' }).click()
  await parent.getByText('Speech and language therapy, 30 minutes weekly').waitFor()
  await axe(parent, 'what has been sent, as the parent')
  await visit(parent, `/cases/${caseId}/documents`, 'documents with the report')
  await parent.getByRole('link', { name: 'SALT report.pdf' }).waitFor()
  await visit(parent, `/my-journey/${caseId}/views`, 'send your views')
  await parent.getByRole('button', { name: 'Send your views' }).click()
  await parent.getByText('Answer at least one question, or upload a document').first().waitFor()
  await axe(parent, 'send your views with errors')
  await parent.getByLabel('What do people like and admire about your child?').fill('She is kind, funny and draws beautifully.')
  await parent.getByLabel("What are your hopes and goals for your child's future?").fill('To go to secondary school with her friends.')
  await parent.getByRole('button', { name: 'Send your views' }).click()
  await parent.getByText('Your views have been sent to the council.').waitFor()
  await axe(parent, 'journey after sending views')
  await visit(parent, `/my-journey/${caseId}/comments`, 'comment on the draft')
  await parent.getByLabel('Your comments').fill('Section F: please make the therapy weekly during term, not termly.')
  await parent.getByLabel('I would like a meeting with the council to talk about the draft').check()
  await parent.getByRole('button', { name: 'Send your comments' }).click()
  await parent.getByText('Your comments on the draft have been sent to the council.').waitFor()
  await visit(parent, `/my-journey/${caseId}/school`, 'ask for a school or college')
  for (const [ext, type, magic] of [['pdf', 'application/pdf', '%PDF'], ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'PK']]) {
    const file = await parent.request.get(waymark.base + `/cases/${caseId}/plan.${ext}`)
    assert.equal(file.status(), 200, `plan.${ext}`)
    assert.equal(file.headers()['content-type'], type)
    assert.equal((await file.body()).subarray(0, magic.length).toString('latin1'), magic)
  }
  await parent.context().close()

  const admin = await newPage()
  await signIn(admin, 'demo.admin')
  await visit(admin, `/audit?case=${caseId}`, 'audit log of the case')
  const log = await admin.locator('main').innerText()
  for (const who of ['Dr Kim Patel', 'Ngozi Okafor', 'Priya Shah']) assert.match(log, new RegExp(who), `${who} in the audit log`)
  assert.match(log, /A document on a case/)
  assert.match(log, /Views, comments and advice sent on a case/)
  await admin.context().close()
})
