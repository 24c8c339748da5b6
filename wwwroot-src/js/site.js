// Small progressive enhancements. Every page works without this file; our CSP forbids inline
// scripts, so all behaviour lives here. Load it after htmx, both with `defer`.
(function () {
  'use strict';

  if (window.htmx) {
    // Our CSP has no 'unsafe-eval' or inline styles: keep htmx away from both.
    window.htmx.config.allowEval = false;
    window.htmx.config.includeIndicatorStyles = false;
    // Our 4xx answers are pages that say what went wrong and what to do ("the form had expired",
    // "not possible while viewing as the customer"): show them, as a browser without JavaScript
    // would. htmx 2 swaps no 4xx by default. Server errors still leave the page as it was.
    window.htmx.config.responseHandling = [
      { code: '204', swap: false },
      { code: '[23]..', swap: true },
      { code: '4..', swap: true },
      { code: '...', swap: false, error: true }
    ];
  }

  // A fragment update (hx-select) whose answer is another page altogether (the refusal page, an
  // error page) would swap in nothing: show that page's main content instead.
  document.addEventListener('htmx:beforeSwap', function (event) {
    var detail = event.detail;
    var source = detail.elt && detail.elt.closest ? detail.elt.closest('[hx-select]') : null;
    var select = detail.selectOverride || (source && source.getAttribute('hx-select'));
    var main = document.getElementById('main');
    if (!detail.shouldSwap || !select || !main || typeof detail.serverResponse !== 'string') {
      return;
    }

    var answer = new DOMParser().parseFromString(detail.serverResponse, 'text/html');
    if (!answer.querySelector(select) && answer.getElementById('main')) {
      detail.target = main;
      detail.selectOverride = '#main';
      detail.swapOverride = 'outerHTML';
    }
  });

  // htmx requests that change state need the antiforgery token, as forms send it. The layout puts
  // it in <meta name="request-verification-token" content="...">.
  document.addEventListener('htmx:configRequest', function (event) {
    var meta = document.querySelector('meta[name="request-verification-token"]');
    if (meta && event.detail.verb !== 'get') {
      event.detail.headers['RequestVerificationToken'] = meta.getAttribute('content');
    }
  });

  // A link to a folded section (my-data's overview links to each category) opens it, as following
  // a link to a page of its records does on the server.
  function openLinkedDetails() {
    var id = window.location.hash.slice(1);
    var target = id ? document.getElementById(decodeURIComponent(id)) : null;
    if (target && target.tagName === 'DETAILS') {
      target.open = true;
    }
  }

  window.addEventListener('hashchange', openLinkedDetails);
  openLinkedDetails();

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

  // On a phone the header's "Menu" is a link to #site-menu that CSS opens (:target). With
  // JavaScript it becomes a real toggle button that says whether the menu is open; Escape closes it.
  (function () {
    var link = document.querySelector('a[data-menu-toggle]');
    var menu = document.getElementById('site-menu');
    if (!link || !menu) {
      return;
    }

    var button = document.createElement('button');
    button.type = 'button';
    button.className = link.className;
    button.textContent = link.textContent;
    button.setAttribute('aria-controls', 'site-menu');
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('data-menu-toggle', '');
    link.replaceWith(button);
    document.documentElement.classList.add('js-menu');

    function toggle(open) {
      menu.classList.toggle('is-open', open);
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
    }

    button.addEventListener('click', function () {
      toggle(!menu.classList.contains('is-open'));
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && menu.classList.contains('is-open')) {
        toggle(false);
        button.focus();
      }
    });
  })();

  // The cookie banner is a sheet at the bottom of a phone's screen: keep room for it at the end of
  // the page, its real height, so the last button of a page never stays under it.
  (function () {
    var sheet = document.getElementById('cookie-banner');
    if (!sheet || !window.ResizeObserver) {
      return;
    }

    new window.ResizeObserver(function () {
      document.body.style.setProperty('--cookie-sheet-height', sheet.offsetHeight + 'px');
    }).observe(sheet);
  })();

  // Times are shown in the company's zone until the browser tells us its own: where the page allows
  // it (preference consent, or the staff area) remember the browser's zone for the next pages. The
  // server checks the id again; this cookie lives only as long as the browser session.
  (function () {
    var root = document.documentElement;
    var cookie = root.getAttribute('data-tz-cookie');
    if (!cookie || !window.Intl || !Intl.DateTimeFormat) {
      return;
    }

    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === root.getAttribute('data-tz') || !/^[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2}$/.test(zone)) {
      return;
    }

    document.cookie = cookie + '=' + encodeURIComponent(zone) + '; path=/; SameSite=Lax' +
      (window.location.protocol === 'https:' ? '; Secure' : '');
  })();
})();
