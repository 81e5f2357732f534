import { createHash } from 'node:crypto';
import type { FileStore } from '../files/file-store.port.js';
import { contentTypeOfPath } from '../files/file-store.port.js';
import type { UploadedFile } from '../http/multipart.js';
import { UndecodableImageError, type ImageProcessor } from '../images/image-processor.port.js';
import { checkSvgLogo, looksLikeSvg } from './checks/svg-logo.check.js';
import { clientLogoProblems } from './client-logo.errors.js';
import { LogoDownloadError, type LogoDownloader } from './logo-downloader.js';
import type { OidcClient } from './oidc-client.js';
import { oidcClientProblems } from './oidc-client.errors.js';
import type { OidcClientRepository } from './oidc-client.repository.port.js';

export type LogoVariant = 'light' | 'dark';

/** Pocket ID's cap for logo uploads and downloads. */
export const CLIENT_LOGO_MAX_BYTES = 2 * 1024 * 1024;

/** Decoder format → stored extension (Pocket ID stores `jpg` for JPEG). */
const EXTENSIONS: Record<string, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif', svg: 'svg' };

/** A checked logo, ready to store: its bytes and the extension its content type follows from. */
export interface LogoImage {
  bytes: Buffer;
  type: string;
}

/** A logo as served. */
export interface StoredLogo {
  bytes: Buffer;
  contentType: string;
  updatedAt: Date;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Pocket ID's layout under UPLOAD_PATH (`oidc-client-images/<id>.<ext>`, `<id>-dark.<ext>`), so an
 * existing uploads directory keeps its logos. An id that is not a plain file name (a leading dot; later
 * a metadata-document URL) is stored under its SHA-256, as Pocket ID does for URL-shaped ids.
 */
export function clientLogoPath(clientId: string, variant: LogoVariant, type: string): string {
  const name = SAFE_SEGMENT.test(clientId)
    ? clientId
    : `cimd-${createHash('sha256').update(clientId).digest('hex')}`;
  return `oidc-client-images/${name}${variant === 'dark' ? '-dark' : ''}.${type}`;
}

class LogoRejected extends Error {
  constructor(
    readonly kind: 'invalid' | 'unsupported',
    reason: string,
  ) {
    super(reason);
  }
}

const typeOf = (client: OidcClient, variant: LogoVariant) =>
  variant === 'light' ? client.logoType : client.darkLogoType;

/**
 * A client's light and dark logos (pocket-id-api.md §4.10), stored through the FileStore. What a logo
 * is follows from its bytes, never from the file name or declared type: a raster image must decode
 * (PNG, JPEG, WebP, GIF) and an SVG must pass {@link checkSvgLogo}. The stored bytes are the original
 * ones (SVGs stay vector, animations stay animated).
 */
export class ClientLogoService {
  constructor(
    private readonly deps: {
      clients: Pick<OidcClientRepository, 'findById' | 'setLogoType'>;
      files: FileStore;
      images: ImageProcessor;
      downloader: LogoDownloader;
    },
  ) {}

  private async find(clientId: string): Promise<OidcClient> {
    const client = await this.deps.clients.findById(clientId);
    if (!client) throw oidcClientProblems.notFound();
    return client;
  }

  /** 400 `invalid_image` or 415 `file_type_not_supported` for an upload that is not a usable logo. */
  async upload(clientId: string, variant: LogoVariant, file: UploadedFile): Promise<OidcClient> {
    const client = await this.find(clientId);
    let image: LogoImage;
    try {
      image = await this.identify(file.bytes);
    } catch (error) {
      if (!(error instanceof LogoRejected)) throw error;
      throw error.kind === 'unsupported'
        ? clientLogoProblems.typeNotSupported(error.message)
        : clientLogoProblems.invalidImage(error.message);
    }
    return this.store(client, variant, image);
  }

  /**
   * Downloads and checks the logo at `url` without storing it; a failure is a 422 problem naming
   * `field` (`logoUrl`, `darkLogoUrl`, `logo_uri`).
   */
  async fetch(url: string, field: string): Promise<LogoImage> {
    let bytes: Buffer;
    try {
      bytes = await this.deps.downloader.download(url);
    } catch (error) {
      if (!(error instanceof LogoDownloadError)) throw error;
      if (error.reason === 'too_large') throw clientLogoProblems.tooLarge(field, url, CLIENT_LOGO_MAX_BYTES);
      throw clientLogoProblems.downloadFailed(field, url, error.message);
    }
    try {
      return await this.identify(bytes);
    } catch (error) {
      if (!(error instanceof LogoRejected)) throw error;
      throw clientLogoProblems.downloadedTypeNotSupported(field, url, error.message);
    }
  }

  /** Stores a checked logo as the client's light or dark logo, replacing the previous one. */
  async store(client: OidcClient, variant: LogoVariant, image: LogoImage): Promise<OidcClient> {
    const path = clientLogoPath(client.id, variant, image.type);
    await this.deps.files.put(path, image.bytes, contentTypeOfPath(path));
    const updated = await this.deps.clients.setLogoType(client.id, variant, image.type);
    if (!updated) {
      // Deleted meanwhile: leave no orphan file behind.
      await this.deps.files.delete(path);
      throw oidcClientProblems.notFound();
    }
    const previous = typeOf(client, variant);
    if (previous && previous !== image.type) {
      await this.deps.files.delete(clientLogoPath(client.id, variant, previous));
    }
    return updated;
  }

  /** The light logo, or the dark one (falling back to the light one, as Pocket ID); 404 `image_not_found`. */
  async logo(clientId: string, variant: LogoVariant): Promise<StoredLogo> {
    const client = await this.find(clientId);
    const chosen: LogoVariant | null =
      variant === 'dark' && client.darkLogoType ? 'dark' : client.logoType ? 'light' : null;
    if (!chosen) throw clientLogoProblems.imageNotFound();
    const path = clientLogoPath(client.id, chosen, typeOf(client, chosen)!);
    const stored = await this.deps.files.get(path);
    if (!stored) throw clientLogoProblems.imageNotFound();
    return { bytes: stored.bytes, contentType: contentTypeOfPath(path), updatedAt: stored.updatedAt };
  }

  /** Removes one logo; 404 `image_not_found` when the client has none of that variant. */
  async remove(clientId: string, variant: LogoVariant): Promise<OidcClient> {
    const client = await this.find(clientId);
    const type = typeOf(client, variant);
    if (!type) throw clientLogoProblems.imageNotFound();
    const updated = await this.deps.clients.setLogoType(client.id, variant, null);
    if (!updated) throw oidcClientProblems.notFound();
    await this.deps.files.delete(clientLogoPath(client.id, variant, type));
    return updated;
  }

  /** The files of a client that has been deleted. */
  async removeFiles(client: OidcClient): Promise<void> {
    for (const variant of ['light', 'dark'] as const) {
      const type = typeOf(client, variant);
      if (type) await this.deps.files.delete(clientLogoPath(client.id, variant, type));
    }
  }

  private async identify(bytes: Buffer): Promise<LogoImage> {
    if (bytes.length === 0) throw new LogoRejected('invalid', 'the file is empty');
    if (looksLikeSvg(bytes)) {
      const verdict = checkSvgLogo(bytes);
      if (!verdict.ok) throw new LogoRejected('invalid', `the SVG is refused because ${verdict.reason}`);
      return { bytes, type: 'svg' };
    }
    const info = await this.deps.images.probe(bytes);
    if (!info) throw new LogoRejected('invalid', 'the file is not an image');
    const type = EXTENSIONS[info.format];
    if (!type || type === 'svg') throw new LogoRejected('unsupported', info.format);
    try {
      // A full decode: a header that probes fine may still hide a truncated or corrupt image.
      await this.deps.images.squarePng(bytes, 16);
    } catch (error) {
      if (error instanceof UndecodableImageError)
        throw new LogoRejected('invalid', 'the image does not decode');
      throw error;
    }
    return { bytes, type };
  }
}
