import {
  MAX_PLIST_DEPTH,
  PlistError,
  PlistUid,
  createDict,
  type PlistDict,
  type PlistValue,
} from './types';

// Apple's XML plist format: PropertyList-1.0.dtd, and CFPropertyList's XML parser for what it
// accepts beyond the DTD (hex integers, "nan"/"inf" reals, `CF$UID` dicts standing for UIDs).

type Token =
  | { kind: 'open'; name: string; selfClosing: boolean; pos: number }
  | { kind: 'close'; name: string; pos: number }
  | { kind: 'text'; text: string; pos: number }
  | { kind: 'end'; pos: number };

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[-A-Za-z0-9_:.]/;
const WHITESPACE = /^[ \t\n]*$/;

/** Parses an Apple XML property list; throws PlistError with the line of any malformation. */
export function parseXmlPlist(text: string): PlistValue {
  // XML end-of-line handling: CR LF and lone CR become LF before anything else.
  const parser = new XmlParser(new Tokenizer(text.replace(/\r\n?/g, '\n')));
  return parser.parseDocument();
}

class Tokenizer {
  private pos = 0;
  private peeked: Token | null = null;

  constructor(readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  lineAt(pos: number): number {
    let line = 1;
    for (let i = 0; i < pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) line++;
    }
    return line;
  }

  fail(message: string, pos: number): never {
    throw new PlistError(`XML plist: ${message}`, { line: this.lineAt(pos) });
  }

  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = null;
    return token;
  }

  private read(): Token {
    const { text } = this;
    for (;;) {
      const start = this.pos;
      if (start >= text.length) return { kind: 'end', pos: start };
      if (text[start] !== '<') return this.readText();
      if (text.startsWith('<!--', start)) {
        this.skipPast('-->', 'comment');
      } else if (text.startsWith('<![CDATA[', start)) {
        const end = text.indexOf(']]>', start + 9);
        if (end < 0) this.fail('unterminated CDATA section', start);
        this.pos = end + 3;
        return { kind: 'text', text: text.slice(start + 9, end), pos: start };
      } else if (text.startsWith('<!DOCTYPE', start)) {
        this.skipDoctype();
      } else if (text.startsWith('<?', start)) {
        this.skipPast('?>', 'processing instruction');
      } else if (text.startsWith('</', start)) {
        this.pos = start + 2;
        const name = this.readName();
        this.skipSpace();
        if (text[this.pos] !== '>') this.fail(`malformed closing tag </${name}`, start);
        this.pos++;
        return { kind: 'close', name, pos: start };
      } else if (text.startsWith('<!', start)) {
        this.fail('unsupported markup declaration', start);
      } else {
        this.pos = start + 1;
        return this.readOpenTag(start);
      }
    }
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.text.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`, this.pos);
    this.pos = end + terminator.length;
  }

  // A DOCTYPE may carry quoted identifiers and an internal subset in brackets.
  private skipDoctype(): void {
    const start = this.pos;
    let bracket = 0;
    let quote: string | null = null;
    for (let i = start + 9; i < this.text.length; i++) {
      const c = this.text[i];
      if (quote !== null) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '[') {
        bracket++;
      } else if (c === ']') {
        bracket--;
      } else if (c === '>' && bracket <= 0) {
        this.pos = i + 1;
        return;
      }
    }
    this.fail('unterminated DOCTYPE', start);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n'.includes(this.text[this.pos] ?? '')) this.pos++;
  }

  private readName(): string {
    const start = this.pos;
    if (!NAME_START.test(this.text[start] ?? '')) this.fail('expected a tag name', start);
    this.pos++;
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos] ?? '')) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private readOpenTag(start: number): Token {
    const name = this.readName();
    for (;;) {
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === undefined) this.fail(`unterminated tag <${name}>`, start);
      if (c === '>') {
        this.pos++;
        return { kind: 'open', name, selfClosing: false, pos: start };
      }
      if (c === '/' && this.text[this.pos + 1] === '>') {
        this.pos += 2;
        return { kind: 'open', name, selfClosing: true, pos: start };
      }
      // An attribute: its value is checked for well-formedness and otherwise ignored.
      this.readName();
      this.skipSpace();
      if (this.text[this.pos] !== '=') this.fail(`malformed attribute in <${name}>`, this.pos);
      this.pos++;
      this.skipSpace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`unquoted attribute in <${name}>`, this.pos);
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail(`unterminated attribute value in <${name}>`, this.pos);
      const raw = this.text.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail(`"<" in an attribute value of <${name}>`, this.pos);
      decodeEntities(raw, this.pos + 1, this);
      this.pos = end + 1;
    }
  }

  private readText(): Token {
    const start = this.pos;
    let end = this.text.indexOf('<', start);
    if (end < 0) end = this.text.length;
    this.pos = end;
    return {
      kind: 'text',
      text: decodeEntities(this.text.slice(start, end), start, this),
      pos: start,
    };
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeEntities(raw: string, pos: number, tokens: Tokenizer): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const amp = raw.indexOf('&', i);
    if (amp < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, amp);
    const semi = raw.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) tokens.fail('"&" that does not start an entity', pos + amp);
    const name = raw.slice(amp + 1, semi);
    const named = Object.hasOwn(NAMED_ENTITIES, name) ? NAMED_ENTITIES[name] : undefined;
    if (named !== undefined) {
      out += named;
    } else if (/^#[0-9]+$/.test(name) || /^#x[0-9A-Fa-f]+$/.test(name)) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        tokens.fail(`character reference &${name}; is not a valid character`, pos + amp);
      }
      out += String.fromCodePoint(code);
    } else {
      tokens.fail(`unknown entity &${name};`, pos + amp);
    }
    i = semi + 1;
  }
  return out;
}

class XmlParser {
  constructor(private readonly tokens: Tokenizer) {}

  parseDocument(): PlistValue {
    const root = this.nextElement('the document');
    if (root === null) this.tokens.fail('no root element', this.tokens.peek().pos);
    let value: PlistValue;
    if (root.name === 'plist') {
      if (root.selfClosing) this.tokens.fail('<plist> holds no value', root.pos);
      const inner = this.nextElement('<plist>');
      if (inner === null) this.tokens.fail('<plist> holds no value', root.pos);
      value = this.parseValue(inner, 1);
      if (this.nextElement('<plist>') !== null) {
        this.tokens.fail('<plist> holds more than one value', root.pos);
      }
      this.expectClose('plist', root.pos);
    } else {
      value = this.parseValue(root, 0);
    }
    const rest = this.nextElement('the document');
    if (rest !== null)
      this.tokens.fail(`unexpected <${rest.name}> after the root element`, rest.pos);
    const end = this.tokens.next();
    if (end.kind !== 'end') this.tokens.fail('content after the root element', end.pos);
    return value;
  }

  /**
   * The next opening tag, skipping whitespace; null when a closing tag or the end comes first
   * (neither is consumed).
   */
  private nextElement(context: string): Extract<Token, { kind: 'open' }> | null {
    for (;;) {
      const token = this.tokens.peek();
      switch (token.kind) {
        case 'text':
          if (!WHITESPACE.test(token.text)) {
            const lead = token.text.length - token.text.trimStart().length;
            this.tokens.fail(
              `unexpected text "${preview(token.text)}" in ${context}`,
              token.pos + lead,
            );
          }
          this.tokens.next();
          break;
        case 'open':
          this.tokens.next();
          return token;
        case 'close':
        case 'end':
          return null;
        default:
          return assertNever(token);
      }
    }
  }

  private expectClose(name: string, openedAt: number): void {
    const token = this.tokens.next();
    if (token.kind === 'close' && token.name === name) return;
    if (token.kind === 'end') {
      this.tokens.fail(
        `<${name}> opened on line ${this.tokens.lineAt(openedAt)} is never closed`,
        token.pos,
      );
    }
    const found = token.kind === 'close' ? `</${token.name}>` : 'more content';
    this.tokens.fail(`expected </${name}>, found ${found}`, token.pos);
  }

  private parseValue(tag: Extract<Token, { kind: 'open' }>, depth: number): PlistValue {
    if (depth > MAX_PLIST_DEPTH) {
      this.tokens.fail(`containers nest deeper than ${MAX_PLIST_DEPTH} levels`, tag.pos);
    }
    switch (tag.name) {
      case 'dict':
        return this.parseDict(tag, depth);
      case 'array':
        return this.parseArray(tag, depth);
      case 'string':
        return this.readText(tag);
      case 'integer':
        return this.parseInteger(this.readText(tag).trim(), tag.pos);
      case 'real':
        return this.parseReal(this.readText(tag).trim(), tag.pos);
      case 'date':
        return this.parseDate(this.readText(tag).trim(), tag.pos);
      case 'data':
        return decodeBase64(this.readText(tag), tag.pos, this.tokens);
      case 'true':
      case 'false':
        if (this.readText(tag).trim() !== '') {
          this.tokens.fail(`<${tag.name}> must be empty`, tag.pos);
        }
        return tag.name === 'true';
      case 'key':
        return this.tokens.fail('<key> outside a <dict>', tag.pos);
      default:
        return this.tokens.fail(`unknown plist element <${tag.name}>`, tag.pos);
    }
  }

  private parseDict(tag: Extract<Token, { kind: 'open' }>, depth: number): PlistValue {
    const dict: PlistDict = createDict();
    if (tag.selfClosing) return dict;
    let count = 0;
    for (;;) {
      const keyTag = this.nextElement('<dict>');
      if (keyTag === null) break;
      if (keyTag.name !== 'key') {
        this.tokens.fail(`expected <key> in <dict>, found <${keyTag.name}>`, keyTag.pos);
      }
      const key = this.readText(keyTag);
      const valueTag = this.nextElement('<dict>');
      if (valueTag === null)
        this.tokens.fail(`<key>${preview(key)}</key> has no value`, keyTag.pos);
      dict[key] = this.parseValue(valueTag, depth + 1);
      count++;
    }
    this.expectClose('dict', tag.pos);
    // CFPropertyList writes a UID as a dict whose only key is CF$UID.
    const uid = dict['CF$UID'];
    if (count === 1 && typeof uid === 'number' && Number.isInteger(uid) && uid >= 0) {
      return new PlistUid(uid);
    }
    return dict;
  }

  private parseArray(tag: Extract<Token, { kind: 'open' }>, depth: number): PlistValue {
    const items: PlistValue[] = [];
    if (tag.selfClosing) return items;
    for (;;) {
      const item = this.nextElement('<array>');
      if (item === null) break;
      items.push(this.parseValue(item, depth + 1));
    }
    this.expectClose('array', tag.pos);
    return items;
  }

  /** The character content of a leaf element, through to its closing tag. */
  private readText(tag: Extract<Token, { kind: 'open' }>): string {
    if (tag.selfClosing) return '';
    let text = '';
    for (;;) {
      const token = this.tokens.next();
      switch (token.kind) {
        case 'text':
          text += token.text;
          break;
        case 'open':
          return this.tokens.fail(`unexpected <${token.name}> inside <${tag.name}>`, token.pos);
        case 'close':
          if (token.name !== tag.name) {
            this.tokens.fail(`expected </${tag.name}>, found </${token.name}>`, token.pos);
          }
          return text;
        case 'end':
          return this.tokens.fail(
            `<${tag.name}> opened on line ${this.tokens.lineAt(tag.pos)} is never closed`,
            token.pos,
          );
        default:
          return assertNever(token);
      }
    }
  }

  private parseInteger(text: string, pos: number): number | bigint {
    const m = /^([+-]?)(?:0[xX]([0-9A-Fa-f]+)|([0-9]+))$/.exec(text);
    if (m === null) this.tokens.fail(`<integer> holds "${preview(text)}"`, pos);
    const magnitude = m[2] !== undefined ? BigInt(`0x${m[2]}`) : BigInt(m[3] ?? '0');
    const value = m[1] === '-' ? -magnitude : magnitude;
    if (value < -(2n ** 63n) || value > 2n ** 64n - 1n) {
      this.tokens.fail(`<integer> ${preview(text)} does not fit in 64 bits`, pos);
    }
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }

  private parseReal(text: string, pos: number): number {
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
    if (/^nan$/i.test(text)) return NaN;
    const inf = /^([+-]?)inf(inity)?$/i.exec(text);
    if (inf !== null) return inf[1] === '-' ? -Infinity : Infinity;
    return this.tokens.fail(`<real> holds "${preview(text)}"`, pos);
  }

  private parseDate(text: string, pos: number): Date {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/.exec(text);
    if (m === null) {
      this.tokens.fail(`<date> holds "${preview(text)}", not YYYY-MM-DDTHH:MM:SSZ`, pos);
    }
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const ms = m[7] === undefined ? 0 : Math.round(Number(m[7]) * 1000);
    const date = new Date(0);
    date.setUTCFullYear(year ?? 0, (month ?? 0) - 1, day);
    date.setUTCHours(hour ?? 0, minute, second, ms);
    if (
      date.getUTCMonth() !== (month ?? 0) - 1 ||
      date.getUTCDate() !== day ||
      date.getUTCHours() !== hour ||
      date.getUTCMinutes() !== minute ||
      date.getUTCSeconds() !== second
    ) {
      this.tokens.fail(`<date> ${text} is not a valid date and time`, pos);
    }
    return date;
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUES = new Map([...BASE64].map((c, i) => [c, i] as const));

function decodeBase64(text: string, pos: number, tokens: Tokenizer): Uint8Array {
  const clean = text.replace(/[ \t\n]/g, '');
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad !== null) tokens.fail(`<data> holds "${bad[0]}", which is not base64`, pos);
  const body = clean.replace(/=+$/, '');
  const padding = clean.length - body.length;
  if (
    body.includes('=') ||
    padding > 2 ||
    body.length % 4 === 1 ||
    (padding > 0 && clean.length % 4 !== 0)
  ) {
    tokens.fail('<data> is not well-formed base64 (bad length or padding)', pos);
  }
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (const c of body) {
    acc = ((acc << 6) | (BASE64_VALUES.get(c) ?? 0)) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}

function assertNever(value: never): never {
  throw new Error(`unexpected token ${JSON.stringify(value)}`);
}
