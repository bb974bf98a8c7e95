// Theming and embedding, as svix-react's <AppPortal> drives them: it appends darkMode (true | auto), primaryColor,
// fontFamily and icon to the portal URL's query, and (with fullSize) resizes its iframe to the height the page posts
// as {type: 'svix.iframe-resizer-height', payload: {height}}.

const COLOR = /^#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

export function applyTheme(query) {
  const root = document.documentElement;
  // The access request's theme is in the URL first; svix-react appends its own after it, so the last value wins.
  const params = { get: name => query.getAll(name).at(-1) ?? null };
  const dark = params.get('darkMode');
  root.dataset.theme = dark === 'true' ? 'dark' : dark === 'auto' ? 'auto' : 'light';
  const color = params.get('primaryColor');
  if (color && COLOR.test(color)) {
    root.style.setProperty('--primary', color.startsWith('#') ? color : `#${color}`);
  }
  const font = params.get('fontFamily');
  // Only fonts the reader's device has: the page loads no fonts (no CDN), so a name is all that is needed.
  if (font && /^[\w\s,'"-]{1,100}$/.test(font)) {
    root.style.setProperty('--font', `${font}, system-ui, sans-serif`);
  }
  const icon = params.get('icon');
  if (icon && /^(https:|data:image\/)/.test(icon)) {
    return icon;
  }
  return null;
}

/** Inside an iframe: tell the embedding page our height whenever it changes (svix-react's fullSize mode). */
export function reportHeightToParent() {
  if (window.parent === window) return;
  let last = 0;
  const post = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // The height is no secret, and the page cannot know its embedder's origin in advance: '*' is enough.
    window.parent.postMessage({ type: 'svix.iframe-resizer-height', payload: { height } }, '*');
  };
  new ResizeObserver(post).observe(document.body);
  post();
}
