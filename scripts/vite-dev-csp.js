// The renderer's index.html carries the production Content-Security-Policy: no inline scripts or
// styles. Vite's dev server needs both (the React Refresh preamble is an inline module script and
// CSS is served as <style> elements), so while serving, and only then, this plugin adds
// 'unsafe-inline' to those two directives of the page's policy. Builds are left untouched.

/** The page's CSP meta content with 'unsafe-inline' added to script-src and style-src. */
export function relaxForDevServer(html) {
  return html.replace(
    /(http-equiv="Content-Security-Policy"\s+content=")([^"]*)"/,
    (_m, head, policy) => {
      const relaxed = policy
        .split(';')
        .map((d) => {
          const directive = d.trim();
          const name = directive.split(/\s+/)[0];
          if (
            (name === 'script-src' || name === 'style-src') &&
            !directive.includes("'unsafe-inline'")
          )
            return `${directive} 'unsafe-inline'`;
          return directive;
        })
        .join('; ');
      return `${head}${relaxed}"`;
    },
  );
}

/** A Vite plugin applying {@link relaxForDevServer} to index.html on the dev server only. */
export function devServerCsp() {
  return {
    name: 'snoopscope-dev-server-csp',
    apply: 'serve',
    transformIndexHtml: (html) => relaxForDevServer(html),
  };
}
