import { describe, expect, it } from 'vitest';
import { PlistUid } from './types';
import { parseXmlPlist } from './xml';
import { plistErrorOf } from './test-support';

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

const plist = (body: string): string => `${HEAD}<plist version="1.0">\n${body}\n</plist>\n`;

const errorOf = plistErrorOf;

describe('parseXmlPlist', () => {
  it('reads a dict of every scalar type', () => {
    const value = parseXmlPlist(
      plist(`<dict>
	<key>name</key>
	<string>iPhone</string>
	<key>count</key>
	<integer>42</integer>
	<key>ratio</key>
	<real>0.5</real>
	<key>yes</key>
	<true/>
	<key>no</key>
	<false/>
	<key>when</key>
	<date>2021-09-13T05:32:01Z</date>
	<key>blob</key>
	<data>AQID</data>
</dict>`),
    );
    expect(value).toEqual({
      name: 'iPhone',
      count: 42,
      ratio: 0.5,
      yes: true,
      no: false,
      when: new Date('2021-09-13T05:32:01Z'),
      blob: Uint8Array.of(1, 2, 3),
    });
  });

  it('decodes the five named entities and numeric character references', () => {
    const value = parseXmlPlist(
      plist(
        '<dict><key>a&amp;b</key><string>&lt;tag&gt; &quot;q&quot; &apos;s&apos; &#65;&#x42;&#x1F600;</string></dict>',
      ),
    );
    expect(value).toEqual({ 'a&b': '<tag> "q" \'s\' AB😀' });
  });

  it('reads CDATA sections and joins them with text and comments', () => {
    expect(
      parseXmlPlist(plist('<string>a<![CDATA[<not a tag> & ]]>b<!-- gone -->c</string>')),
    ).toBe('a<not a tag> & bc');
  });

  it('skips comments, processing instructions and a DOCTYPE with an internal subset', () => {
    const text =
      '<?xml version="1.0"?>\n<!-- top -->\n<!DOCTYPE plist [ <!ENTITY x "y"> ]>\n<?pi data?>\n' +
      '<plist>\n<!-- before --><array><!-- in --><integer>1</integer></array><!-- after -->\n</plist>\n<!-- tail -->\n';
    expect(parseXmlPlist(text)).toEqual([1]);
  });

  it('reads nested containers and empty forms', () => {
    const value = parseXmlPlist(
      plist(`<dict>
  <key>apps</key>
  <array>
    <dict><key>id</key><string>com.google.Translate</string><key>tags</key><array/></dict>
    <array><array><string/></array></array>
  </array>
  <key>empty</key><dict/>
  <key>emptyArray</key><array></array>
  <key>emptyString</key><string></string>
</dict>`),
    );
    expect(value).toEqual({
      apps: [{ id: 'com.google.Translate', tags: [] }, [['']]],
      empty: {},
      emptyArray: [],
      emptyString: '',
    });
  });

  it('reads base64 data broken over lines with tabs and spaces', () => {
    const value = parseXmlPlist(
      plist(
        '<data>\n\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n\tISIjJCUmJygpKissLS4v\n\tMA==\n</data>',
      ),
    );
    expect(value).toEqual(Uint8Array.from({ length: 49 }, (_, i) => i));
    expect(parseXmlPlist(plist('<data></data>'))).toEqual(new Uint8Array(0));
    expect(parseXmlPlist(plist('<data>AQ</data>'))).toEqual(Uint8Array.of(1));
  });

  it('reads integers: signed, hexadecimal, and bigint beyond the safe range', () => {
    const value = parseXmlPlist(
      plist(`<array>
<integer>-17</integer><integer> +5 </integer><integer>0x1F</integer>
<integer>9007199254740993</integer><integer>18446744073709551615</integer>
<integer>-9223372036854775808</integer>
</array>`),
    );
    expect(value).toEqual([-17, 5, 31, 9007199254740993n, 2n ** 64n - 1n, -(2n ** 63n)]);
  });

  it('reads reals, including the nan and infinity spellings', () => {
    const value = parseXmlPlist(
      plist(
        '<array><real>3</real><real>-2.5e10</real><real>.25</real><real>+infinity</real><real>-inf</real><real>nan</real></array>',
      ),
    ) as number[];
    expect(value.slice(0, 5)).toEqual([3, -2.5e10, 0.25, Infinity, -Infinity]);
    expect(Number.isNaN(value[5])).toBe(true);
  });

  it('reads dates with fractional seconds and early years', () => {
    expect(parseXmlPlist(plist('<date>2023-05-20T01:40:55.339Z</date>'))).toEqual(
      new Date('2023-05-20T01:40:55.339Z'),
    );
    expect(
      (parseXmlPlist(plist('<date>0050-01-01T00:00:00Z</date>')) as Date).getUTCFullYear(),
    ).toBe(50);
  });

  it('turns a CF$UID dict into a PlistUid', () => {
    expect(parseXmlPlist(plist('<dict><key>CF$UID</key><integer>7</integer></dict>'))).toEqual(
      new PlistUid(7),
    );
    expect(parseXmlPlist(plist('<dict><key>CF$UID</key><string>7</string></dict>'))).toEqual({
      CF$UID: '7',
    });
  });

  it('accepts a bare value as the root, and a byte-order mark', () => {
    expect(parseXmlPlist('<string>x</string>')).toBe('x');
    expect(parseXmlPlist('\ufeff<plist><true/></plist>')).toBe(true);
  });

  it('normalises CRLF line endings, keeps &#13;, and counts lines across them', () => {
    expect(parseXmlPlist('<plist>\r\n<string>a\r\nb&#13;</string>\r\n</plist>')).toBe('a\nb\r');
    const e = errorOf(() =>
      parseXmlPlist('<plist>\r\n<dict>\r\n<string>x</string>\r\n</dict></plist>'),
    );
    expect(e.line).toBe(3);
  });

  it('keeps "__proto__" keys as data', () => {
    const value = parseXmlPlist(plist('<dict><key>__proto__</key><integer>1</integer></dict>'));
    expect(Object.keys(value as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBeNull();
  });
});

describe('parseXmlPlist: malformed input gives the line', () => {
  const cases: Array<[string, string, RegExp, number]> = [
    [
      'an unclosed dict',
      '<plist>\n<dict>\n<key>a</key>\n<string>b</string>\n',
      /<dict> opened on line 2 is never closed/,
      5,
    ],
    [
      'a mismatched closing tag',
      '<plist>\n<dict>\n<key>a</key>\n<string>b</string>\n</array>\n</plist>',
      /expected <\/dict>, found <\/array>/,
      5,
    ],
    [
      'an unknown entity',
      '<plist>\n<dict>\n<key>a&nbsp;</key>\n<true/></dict></plist>',
      /unknown entity &nbsp;/,
      3,
    ],
    [
      'a bare ampersand',
      '<plist>\n<string>fish & chips</string></plist>',
      /"&" that does not start an entity/,
      2,
    ],
    [
      'a bad integer',
      '<plist>\n<array>\n\n\n<integer>12a</integer></array></plist>',
      /<integer> holds "12a"/,
      5,
    ],
    [
      'an integer beyond 64 bits',
      '<plist><array>\n<integer>18446744073709551616</integer></array></plist>',
      /does not fit in 64 bits/,
      2,
    ],
    ['a bad real', '<plist>\n<real>1.2.3</real></plist>', /<real> holds "1.2.3"/, 2],
    [
      'a key without a value',
      '<plist>\n<dict>\n<key>lonely</key>\n</dict></plist>',
      /<key>lonely<\/key> has no value/,
      3,
    ],
    [
      'text inside a dict',
      '<plist>\n<dict>\nhello\n</dict></plist>',
      /unexpected text "hello" in <dict>/,
      3,
    ],
    [
      'a value without a key',
      '<plist>\n<dict>\n<string>x</string>\n</dict></plist>',
      /expected <key> in <dict>, found <string>/,
      3,
    ],
    [
      'bad base64',
      '<plist>\n<data>\nAQ*D\n</data></plist>',
      /<data> holds "\*", which is not base64/,
      2,
    ],
    ['bad base64 padding', '<plist>\n<data>A===</data></plist>', /not well-formed base64/, 2],
    [
      'an impossible date',
      '<plist>\n<date>2021-02-30T00:00:00Z</date></plist>',
      /2021-02-30T00:00:00Z is not a valid date/,
      2,
    ],
    [
      'a date in another format',
      '<plist>\n<date>2021-02-03 00:00:00</date></plist>',
      /not YYYY-MM-DDTHH:MM:SSZ/,
      2,
    ],
    [
      'two values in <plist>',
      '<plist>\n<true/>\n<false/>\n</plist>',
      /<plist> holds more than one value/,
      1,
    ],
    [
      'an empty <plist>',
      '<?xml version="1.0"?>\n<plist version="1.0"/>',
      /<plist> holds no value/,
      2,
    ],
    [
      'an unknown element',
      '<plist>\n<array>\n<uid>1</uid></array></plist>',
      /unknown plist element <uid>/,
      3,
    ],
    [
      'an element inside a string',
      '<plist>\n<string>a<b>c</b></string></plist>',
      /unexpected <b> inside <string>/,
      2,
    ],
    ['a non-empty <true>', '<plist>\n<true>yes</true></plist>', /<true> must be empty/, 2],
    [
      'an unterminated comment',
      '<plist>\n<!-- never closed\n<true/></plist>',
      /unterminated comment/,
      2,
    ],
    [
      'an unterminated CDATA',
      '<plist>\n<string><![CDATA[x</string></plist>',
      /unterminated CDATA/,
      2,
    ],
    ['an unterminated tag', '<plist>\n<string', /unterminated tag <string>/, 2],
    [
      'an unquoted attribute',
      '<plist version=1.0>\n<true/></plist>',
      /unquoted attribute in <plist>/,
      1,
    ],
    ['an empty document', '  \n\n', /no root element/, 3],
    [
      'content after the root',
      '<plist><true/></plist>\n<plist><true/></plist>',
      /unexpected <plist> after the root element/,
      2,
    ],
    [
      'text after the root',
      '<plist><true/></plist>\ntrailing',
      /unexpected text "trailing" in the document/,
      2,
    ],
    ['a stray closing tag', '<plist><true/></plist>\n</dict>', /content after the root element/, 2],
    [
      'a surrogate character reference',
      '<plist>\n<string>&#xD800;</string></plist>',
      /&#xD800; is not a valid character/,
      2,
    ],
    [
      'nesting deeper than 512',
      `<plist>${'<array>'.repeat(600)}${'</array>'.repeat(600)}</plist>`,
      /nest deeper than 512/,
      1,
    ],
  ];

  for (const [what, text, message, line] of cases) {
    it(`refuses ${what} (line ${line})`, () => {
      const e = errorOf(() => parseXmlPlist(text));
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(/^XML plist: /);
      expect(e.message.endsWith(`(line ${line})`)).toBe(true);
      expect(e.line).toBe(line);
    });
  }
});
