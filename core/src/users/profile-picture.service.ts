import { createHash } from 'node:crypto';
import { ProblemError } from '../errors/problem.errors.js';
import type { FileStore } from '../files/file-store.port.js';
import type { UploadedFile } from '../http/multipart.js';
import { UndecodableImageError, type ImageProcessor } from '../images/image-processor.port.js';
import type { User } from './user.js';

/** Pocket ID stores and serves profile pictures as 300×300 PNG. */
export const PROFILE_PICTURE_SIZE = 300;
/** What an upload may be; anything else that decodes is refused with 415. */
export const PROFILE_PICTURE_FORMATS: readonly string[] = ['png', 'jpeg', 'webp'];

export const invalidImage = (): ProblemError =>
  new ProblemError({ status: 400, code: 'invalid_image', detail: 'The file is not a valid image' });

export const fileTypeNotSupported = (format: string): ProblemError =>
  new ProblemError({
    status: 415,
    code: 'file_type_not_supported',
    detail: `The file type ${format} is not supported; upload a PNG, JPEG or WebP image`,
  });

/** Pocket ID's layout under UPLOAD_PATH, so an existing uploads directory keeps its pictures. */
export const profilePicturePath = (userId: string): string => `profile-pictures/${userId}.png`;

/** Two letters: the first of the first and last names, else the first two of the username (as Pocket ID). */
export function initialsOf(user: Pick<User, 'firstName' | 'lastName' | 'username'>): string {
  const first = Array.from(user.firstName.trim())[0] ?? '';
  const last = Array.from(user.lastName?.trim() ?? '')[0] ?? '';
  const initials = first + last || Array.from(user.username).slice(0, 2).join('');
  return initials.toUpperCase();
}

/** A stable, readable background for a user: the hue comes from the id, saturation and lightness are fixed. */
export function colourOf(userId: string): string {
  const hue = createHash('sha256').update(userId).digest().readUInt16BE(0) % 360;
  return hslToHex(hue, 0.45, 0.42);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const value = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function initialsSvg(initials: string, background: string): string {
  const size = PROFILE_PICTURE_SIZE;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<rect width="${size}" height="${size}" fill="${background}"/>` +
    `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" fill="#ffffff" font-size="120" ` +
    `font-weight="600" font-family="DejaVu Sans, Inter, Arial, Helvetica, sans-serif">${escapeXml(initials)}</text>` +
    `</svg>`
  );
}

const DEFAULTS_CACHED = 512;

/**
 * Profile pictures (pocket-id-api.md §4.3): an uploaded picture is decoded, checked and re-encoded as a
 * 300×300 PNG in the FileStore; without one, a picture of the user's initials is drawn. Initials
 * pictures are deterministic, so each instance keeps a small in-memory cache of them.
 */
export class ProfilePictureService {
  private readonly defaults = new Map<string, Buffer>();

  constructor(private readonly deps: { files: FileStore; images: ImageProcessor }) {}

  /** The user's picture as PNG bytes: the uploaded one, else their initials. */
  async picture(user: User): Promise<Buffer> {
    const stored = await this.deps.files.get(profilePicturePath(user.id));
    return stored?.bytes ?? this.initialsPicture(user);
  }

  async initialsPicture(user: Pick<User, 'id' | 'firstName' | 'lastName' | 'username'>): Promise<Buffer> {
    const initials = initialsOf(user);
    const colour = colourOf(user.id);
    const key = `${colour}|${initials}`;
    const cached = this.defaults.get(key);
    if (cached) return cached;
    const png = await this.deps.images.svgToPng(initialsSvg(initials, colour));
    if (this.defaults.size >= DEFAULTS_CACHED) this.defaults.delete(this.defaults.keys().next().value!);
    this.defaults.set(key, png);
    return png;
  }

  /** Decodes and checks the upload (400 `invalid_image`, 415 `file_type_not_supported`), then stores it. */
  async upload(userId: string, file: UploadedFile): Promise<void> {
    const info = await this.deps.images.probe(file.bytes);
    if (!info) throw invalidImage();
    if (!PROFILE_PICTURE_FORMATS.includes(info.format)) throw fileTypeNotSupported(info.format);
    let png: Buffer;
    try {
      png = await this.deps.images.squarePng(file.bytes, PROFILE_PICTURE_SIZE);
    } catch (error) {
      if (error instanceof UndecodableImageError) throw invalidImage();
      throw error;
    }
    await this.deps.files.put(profilePicturePath(userId), png, 'image/png');
  }

  /** Back to the initials picture. */
  async remove(userId: string): Promise<void> {
    await this.deps.files.delete(profilePicturePath(userId));
  }
}
