import { h } from './dom.js';

/** Previous / next links for a paged list: real links, so the keyboard,
 *  the back button and a new tab all work. `full`: this page came back
 *  full, so there may be another after it. */
export function pager(label, number, full, linkTo) {
  return h('nav', { class: 'pager', 'aria-label': label },
    number > 1
      ? h('a', { href: linkTo(number - 1), rel: 'prev', 'data-test': 'prev' }, '← Previous')
      : h('span', { class: 'disabled', 'aria-disabled': 'true' }, '← Previous'),
    h('span', { class: 'page', 'data-test': 'page' }, `Page ${number}`),
    full
      ? h('a', { href: linkTo(number + 1), rel: 'next', 'data-test': 'next' }, 'Next →')
      : h('span', { class: 'disabled', 'aria-disabled': 'true' }, 'Next →'));
}
