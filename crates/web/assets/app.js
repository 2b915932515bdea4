// Progressive enhancement only: every page works without JavaScript. Loaded as a module from the
// service's own origin, so the Content-Security-Policy needs no inline script.
import { initAll } from '/assets/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
