// Small progressive enhancements. Every page works without this file; our CSP forbids inline
// scripts, so all behaviour lives here. Load it after htmx, both with `defer`.
(function () {
  'use strict';

  if (window.htmx) {
    // Our CSP has no 'unsafe-eval' or inline styles: keep htmx away from both.
    window.htmx.config.allowEval = false;
    window.htmx.config.includeIndicatorStyles = false;
  }

  // htmx requests that change state need the antiforgery token, as forms send it. The layout puts
  // it in <meta name="request-verification-token" content="...">.
  document.addEventListener('htmx:configRequest', function (event) {
    var meta = document.querySelector('meta[name="request-verification-token"]');
    if (meta && event.detail.verb !== 'get') {
      event.detail.headers['RequestVerificationToken'] = meta.getAttribute('content');
    }
  });

  // <button data-confirm="Are you sure?"> (or the form) asks before submitting.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // After htmx swaps in new content, move focus to the element that announces it (a heading or a
  // notice marked data-focus-after-swap), so keyboard and screen reader users are not left behind.
  document.addEventListener('htmx:afterSwap', function (event) {
    var target = event.detail.target.querySelector('[data-focus-after-swap]');
    if (target) {
      if (!target.hasAttribute('tabindex')) {
        target.setAttribute('tabindex', '-1');
      }
      target.focus();
    }
  });
})();
