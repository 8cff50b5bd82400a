// Moving between views from code (links move by themselves): the address
// changes first, so every view stays a URL.

/** Shows `hash`; `replace`: without a new history entry (search as you type). */
export function go(hash, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  window.dispatchEvent(new Event('route'));
}
