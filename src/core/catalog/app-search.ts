/** Escapes `\`, `%` and `_` for a LIKE pattern with `ESCAPE '\'`. */
function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * SQL that matches an app row whose stored search names (backup, examiner and catalog names,
 * the catalog's native name and aliases) include one of `n` names exactly, ignoring case:
 * `--app 微信` and `--app wechat` both find com.tencent.xin. Use inside a query over `apps`.
 */
export function appNameMatchSql(n: number): {
  sql: string;
  params: (names: readonly string[]) => string[];
} {
  const one = "search_names LIKE ? ESCAPE '\\'";
  return {
    sql: n <= 0 ? '0' : `(${Array.from({ length: n }, () => one).join(' OR ')})`,
    params: (names) =>
      names.map((name) => `%|${escapeLike(name.trim().toLowerCase().replace(/\|/g, ' '))}|%`),
  };
}
