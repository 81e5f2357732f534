import { describe, expect, it } from 'vitest';
import { checkSvgLogo, looksLikeSvg } from './svg-logo.check.js';

const svg = (body: string, attrs = '') =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"${attrs}>${body}</svg>`);
const reasonOf = (bytes: Buffer) => {
  const verdict = checkSvgLogo(bytes);
  return verdict.ok ? null : verdict.reason;
};

describe('checkSvgLogo', () => {
  it('accepts ordinary logos: gradients, styles, local references, comments, a DOCTYPE, inline rasters', () => {
    const inkscape =
      `\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n` +
      `<!-- Created with Inkscape -->\n` +
      `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
      `xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="64" height="64">` +
      `<defs><linearGradient id="g"><stop offset="0" style="stop-color:#fff"/></linearGradient>` +
      `<style><![CDATA[ .a { fill: url(#g); } ]]></style></defs>` +
      `<rect class="a" width="64" height="64" fill="url( '#g' )"/>` +
      `<use xlink:href="#g"/><image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>` +
      `<text x="1" y="2">A &amp; B &#169;</text>` +
      `</svg>\n`;
    expect(checkSvgLogo(Buffer.from(inkscape))).toEqual({ ok: true });
    expect(checkSvgLogo(svg('<circle r="4"/>'))).toEqual({ ok: true });
  });

  it.each([
    ['a script element', svg('<script>alert(1)</script>'), 'script'],
    ['a namespaced script element', svg('<h:script xmlns:h="urn:x">alert(1)</h:script>'), 'script'],
    ['an event handler', svg('<rect onclick="alert(1)"/>'), 'event handler'],
    ['an event handler on the root', svg('', ' onload="alert(1)"'), 'event handler'],
    ['foreignObject', svg('<foreignObject><div/></foreignObject>'), 'foreignObject'],
    ['an external href', svg('<image href="https://evil.example/x.png"/>'), 'external'],
    ['an external xlink:href', svg('<use xlink:href="https://evil.example/s.svg#a"/>'), 'external'],
    ['a javascript link', svg('<a href="javascript:alert(1)"><rect/></a>'), 'script URL'],
    ['an entity-encoded javascript link', svg('<a href="&#106;avascript:alert(1)"/>'), 'script URL'],
    ['an SVG data URI', svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'), 'external'],
    ['an external CSS url', svg('<rect style="fill:url(https://evil.example/t)"/>'), 'external'],
    ['a CSS import', svg('<style>@import "https://evil.example/x.css";</style>'), 'imports'],
    ['a CSS escape', svg('<style>.a{fill:u\\72l(x)}</style>'), 'escape'],
    ['an animated href', svg('<a><set attributeName="href" to="#x"/></a>'), 'animates'],
    ['the XHTML namespace', svg('', ' xmlns:h="http://www.w3.org/1999/xhtml"'), 'namespace'],
    [
      'an internal DTD subset',
      Buffer.from('<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>'),
      'DTD',
    ],
    ['an unknown entity', svg('<text>&xxe;</text>'), 'entity'],
    [
      'an xml-stylesheet instruction',
      Buffer.from('<?xml-stylesheet href="https://evil.example/x.css"?><svg/>'),
      'processing instruction',
    ],
    ['another root element', Buffer.from('<html><body/></html>'), 'root element'],
    ['two root elements', Buffer.from('<svg/><svg/>'), 'more than one root'],
    ['an unclosed element', Buffer.from('<svg><g></svg>'), 'does not close'],
    ['a truncated document', Buffer.from('<svg><g>'), 'not closed'],
    ['an unquoted attribute', Buffer.from('<svg width=10/>'), 'not quoted'],
    ['a repeated attribute', Buffer.from('<svg a="1" a="2"/>'), 'repeated'],
    ['a bare ampersand', svg('<text>A & B</text>'), '&'],
    ['text outside the root', Buffer.from('<svg/>trailing'), 'outside the root'],
    ['a non-UTF-8 encoding', Buffer.from('<?xml version="1.0" encoding="UTF-7"?><svg/>'), 'encoding'],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('<svg>'), Buffer.from([0xff, 0xfe]), Buffer.from('</svg>')]),
      'UTF-8',
    ],
  ])('refuses %s', (_name, bytes, reason) => {
    expect(reasonOf(bytes)).toContain(reason);
  });
});

describe('looksLikeSvg', () => {
  it('tells markup from raster bytes by content, not by name', () => {
    expect(looksLikeSvg(Buffer.from('  \n<svg/>'))).toBe(true);
    expect(looksLikeSvg(Buffer.from('\uFEFF<?xml version="1.0"?><svg/>'))).toBe(true);
    expect(looksLikeSvg(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(false);
    expect(looksLikeSvg(Buffer.from('GIF89a'))).toBe(false);
  });
});
