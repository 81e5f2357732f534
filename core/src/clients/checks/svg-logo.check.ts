/**
 * An SVG logo must be a well-formed XML document (UTF-8) whose root element is `svg`, with no active
 * content and no external references: no `script`, `foreignObject` or embedding elements, no `on*`
 * event attributes, no processing instructions (`<?xml-stylesheet?>`), no internal DTD subset (entity
 * expansion), no XHTML or MathML namespaces, no `href`/`src` other than a same-document `#fragment` or an
 * inline raster `data:image/…;base64`, and no CSS `url()` other than `url(#…)` nor `@import`.
 *
 * This check keeps stored logos clean; it is not what makes serving them safe. A hand-written checker
 * can disagree with a browser's parser, so every SVG is also served under a sandboxing CSP with
 * `nosniff` (client-logo.routes.ts): even an SVG that slipped through runs no script and loads nothing.
 */
export type SvgCheck = { ok: true } | { ok: false; reason: string };

const NAME = /^[\p{L}_][\p{L}\p{N}._:-]*$/u;
const FORBIDDEN_ELEMENTS = new Set([
  'script',
  'foreignobject',
  'iframe',
  'embed',
  'object',
  'handler',
  'listener',
  'audio',
  'video',
  'base',
  'meta',
  'link',
]);
const ANIMATIONS = new Set(['set', 'animate', 'animatemotion', 'animatetransform', 'animatecolor']);
const FORBIDDEN_NAMESPACES = new Set(['http://www.w3.org/1999/xhtml', 'http://www.w3.org/1998/math/mathml']);
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/i;
const ENTITY = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][A-Za-z0-9._-]*);/g;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class Refused extends Error {}

const refuse = (reason: string): never => {
  throw new Refused(reason);
};

const localName = (name: string) => name.slice(name.indexOf(':') + 1).toLowerCase();

/** Expands the predefined and numeric character references; refuses any other `&`. */
function decode(raw: string): string {
  const bare = raw.replace(ENTITY, '');
  if (bare.includes('&')) refuse('has an "&" that does not start a character reference');
  return raw.replace(ENTITY, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff)) refuse(`has an invalid character reference &${ref};`);
      return String.fromCodePoint(code);
    }
    return PREDEFINED[ref] ?? refuse(`uses the entity &${ref}; (only XML's predefined entities are allowed)`);
  });
}

/** Scheme checks look past the whitespace and control characters browsers drop from URLs. */
const squeezed = (value: string) =>
  [...value]
    .filter((c) => c.charCodeAt(0) > 0x20)
    .join('')
    .toLowerCase();

function checkCss(css: string, where: string): void {
  const lower = css.toLowerCase();
  if (lower.includes('\\')) refuse(`${where} has a CSS escape`);
  if (lower.includes('@import')) refuse(`${where} imports a stylesheet`);
  if (lower.includes('expression(')) refuse(`${where} has a CSS expression`);
  for (const match of lower.matchAll(/url\s*\(\s*(['"]?)\s*([^'")]*)/g)) {
    if (!match[2]!.startsWith('#')) refuse(`${where} references an external resource`);
  }
}

function checkAttribute(element: string, name: string, value: string): void {
  const local = localName(name);
  const where = `the attribute ${name} of <${element}>`;
  if (local.startsWith('on')) refuse(`${where} is an event handler`);
  if (name === 'xml:base') refuse(`${where} changes the base URL`);
  if (
    (name === 'xmlns' || name.startsWith('xmlns:')) &&
    FORBIDDEN_NAMESPACES.has(value.trim().toLowerCase())
  ) {
    refuse(`${where} declares the ${value.trim()} namespace`);
  }
  const squeezedValue = squeezed(value);
  if (/(java|vb)script:/.test(squeezedValue)) refuse(`${where} holds a script URL`);
  if (local === 'href' || local === 'src') {
    const trimmed = value.trim();
    if (!trimmed.startsWith('#') && !DATA_IMAGE.test(trimmed))
      refuse(`${where} references an external resource`);
  }
  checkCss(value, where);
}

function checkElement(name: string, attributes: Map<string, string>): void {
  const local = localName(name);
  if (FORBIDDEN_ELEMENTS.has(local)) refuse(`it contains a <${name}> element`);
  if (ANIMATIONS.has(local)) {
    const target = localName(attributes.get('attributeName') ?? '');
    if (target === 'href' || target === 'src' || target.startsWith('on') || target === 'style') {
      refuse(`<${name}> animates the ${target} attribute`);
    }
  }
  for (const [attribute, value] of attributes) checkAttribute(name, attribute, value);
}

/** The XML declaration, when present, must name UTF-8 (or ASCII, its subset) if it names an encoding. */
function checkDeclaration(declaration: string): void {
  const encoding = /encoding\s*=\s*(['"])([^'"]*)\1/.exec(declaration)?.[2]?.toLowerCase();
  if (encoding && !['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(encoding)) {
    refuse(`it declares the ${encoding} encoding (only UTF-8 is accepted)`);
  }
}

/** Does this look like markup rather than a raster image? (What the bytes are, not what they claim.) */
export function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes
    .subarray(0, 512)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<');
}

export function checkSvgLogo(bytes: Buffer): SvgCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'it is not valid UTF-8' };
  }
  try {
    parse(text.replace(/^\uFEFF/, ''));
    return { ok: true };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}

/** A small non-validating XML scanner: enough to prove well-formedness and see every element. */
function parse(text: string): void {
  const n = text.length;
  let i = 0;
  const stack: string[] = [];
  let rootSeen = false;
  let rootClosed = false;
  let doctypeSeen = false;
  let style: string | null = null;

  if (text.startsWith('<?xml') && /\s/.test(text[5] ?? '')) {
    const end = text.indexOf('?>');
    if (end < 0) refuse('its XML declaration is not closed');
    checkDeclaration(text.slice(0, end));
    i = end + 2;
  }

  const readName = (from: number): { name: string; end: number } => {
    let end = from;
    while (end < n && !/[\s/>=]/.test(text[end]!)) end++;
    const name = text.slice(from, end);
    if (!NAME.test(name)) refuse(`it has an invalid name "${name.slice(0, 40)}"`);
    return { name, end };
  };
  const skipSpace = (from: number): number => {
    let at = from;
    while (at < n && /\s/.test(text[at]!)) at++;
    return at;
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk) {
      if (stack.length === 0) {
        if (chunk.trim() !== '') refuse('it has text outside the root element');
      } else {
        if (chunk.includes(']]>')) refuse('its text contains "]]>"');
        const decoded = decode(chunk);
        if (style !== null) style += decoded;
      }
    }
    if (lt < 0) break;
    i = lt;

    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) refuse('a comment is not closed');
      if (text.slice(i + 4, end).includes('--')) refuse('a comment contains "--"');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) refuse('it has a CDATA section outside the root element');
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) refuse('a CDATA section is not closed');
      if (style !== null) style += text.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!DOCTYPE', i)) {
      if (rootSeen || doctypeSeen) refuse('its DOCTYPE is misplaced');
      doctypeSeen = true;
      const end = text.indexOf('>', i);
      if (end < 0) refuse('its DOCTYPE is not closed');
      if (text.slice(i, end).includes('[')) refuse('it has an internal DTD subset');
      i = end + 1;
      continue;
    }
    if (text.startsWith('<?', i)) refuse('it has a processing instruction');
    if (text.startsWith('<!', i)) refuse('it has an unknown markup declaration');

    if (text.startsWith('</', i)) {
      const { name, end } = readName(i + 2);
      const close = skipSpace(end);
      if (text[close] !== '>') refuse(`the end tag </${name}> is malformed`);
      const open = stack.pop();
      if (open !== name) refuse(`</${name}> does not close <${open ?? ''}>`);
      if (localName(name) === 'style' && style !== null) {
        checkCss(style, 'a <style> element');
        style = null;
      }
      if (stack.length === 0) rootClosed = true;
      i = close + 1;
      continue;
    }

    const { name, end: nameEnd } = readName(i + 1);
    if (rootClosed) refuse('it has more than one root element');
    if (!rootSeen) {
      rootSeen = true;
      if (localName(name) !== 'svg') refuse(`its root element is <${name}>, not <svg>`);
    }
    const attributes = new Map<string, string>();
    let at = nameEnd;
    let selfClosing = false;
    for (;;) {
      const next = skipSpace(at);
      if (text.startsWith('/>', next)) {
        selfClosing = true;
        at = next + 2;
        break;
      }
      if (text[next] === '>') {
        at = next + 1;
        break;
      }
      if (next >= n) refuse(`the tag <${name}> is not closed`);
      if (next === at) refuse(`the tag <${name}> is malformed`);
      const attribute = readName(next);
      const eq = skipSpace(attribute.end);
      if (text[eq] !== '=') refuse(`the attribute ${attribute.name} has no value`);
      const open = skipSpace(eq + 1);
      const quote = text[open];
      if (quote !== '"' && quote !== "'") refuse(`the attribute ${attribute.name} is not quoted`);
      const close = text.indexOf(quote!, open + 1);
      if (close < 0) refuse(`the attribute ${attribute.name} is not closed`);
      const raw = text.slice(open + 1, close);
      if (raw.includes('<')) refuse(`the attribute ${attribute.name} contains "<"`);
      if (attributes.has(attribute.name)) refuse(`the attribute ${attribute.name} is repeated`);
      attributes.set(attribute.name, decode(raw));
      at = close + 1;
    }
    checkElement(name, attributes);
    if (!selfClosing) {
      stack.push(name);
      if (localName(name) === 'style') style = '';
    } else if (stack.length === 0) {
      rootClosed = true;
    }
    i = at;
  }
  if (!rootSeen) refuse('it has no <svg> element');
  if (stack.length > 0) refuse(`<${stack[stack.length - 1]}> is not closed`);
}
