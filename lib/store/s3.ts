/** A ReportStore in S3 or any S3-compatible server, with the contract's layout under a prefix. */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { quietNodeVersionWarning } from '../sdk-warning';
import { LayoutStore, LINK_SECONDS, PAGE_KEY, type PageLink, prefixed, StoreError, type S3Location } from './store';

/** The longest a presigned URL may be valid (SigV4's own limit): 7 days. */
export const MAX_LINK_SECONDS = LINK_SECONDS;

export interface S3ClientSettings {
  /** An S3-compatible endpoint (`S3_ENDPOINT`); path-style addressing is used with it. */
  endpoint?: string;
  region?: string;
}

/**
 * The S3 client every door uses. Checksums only where the API demands them, so that
 * S3-compatible servers which know nothing of the newer checksum headers work too.
 */
export function makeS3Client(settings: S3ClientSettings): S3Client {
  quietNodeVersionWarning();
  return new S3Client({
    region: settings.region || 'us-east-1',
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function isMissing(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);
}

function describe(err: unknown): string {
  if (err instanceof S3ServiceException) return `${err.name}${err.message && err.message !== err.name ? `: ${err.message}` : ''}`;
  return (err as Error).message;
}

/** The text of one object, or null when it does not exist. */
export async function readS3Text(client: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (isMissing(err)) return null;
    throw new StoreError(`cannot read s3://${bucket}/${key}: ${describe(err)}`, { cause: err });
  }
}

export class S3ReportStore extends LayoutStore {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    where: S3Location,
  ) {
    super();
    this.bucket = where.bucket;
    this.prefix = where.prefix;
  }

  get location(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  protected async write(key: string, body: string): Promise<void> {
    await this.put(key, body, false);
  }

  /**
   * A conditional write (`If-None-Match: *`, which S3 honours since 2024): S3 answers 412 when
   * the object exists, and 409 when another conditional write to it is in flight.
   */
  protected writeNew(key: string, body: string): Promise<boolean> {
    return this.put(key, body, true);
  }

  private async put(key: string, body: string, onlyNew: boolean): Promise<boolean> {
    const fullKey = prefixed(this.prefix, key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: fullKey, Body: body, ContentType: contentTypeOf(key), ...(onlyNew ? { IfNoneMatch: '*' } : {}) }));
      return true;
    } catch (err) {
      const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
      if (onlyNew && (status === 412 || status === 409)) return false;
      throw new StoreError(`cannot write s3://${this.bucket}/${fullKey}: ${describe(err)}`, { cause: err });
    }
  }

  /** A multipart upload of 5 MB parts (one PUT when smaller): the whole text is never in memory. */
  protected async writeStream(key: string, text: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const fullKey = prefixed(this.prefix, key);
    try {
      await new Upload({ client: this.client, params: { Bucket: this.bucket, Key: fullKey, Body: Readable.from(text, { objectMode: false }), ContentType: contentTypeOf(key) }, queueSize: 2 }).done();
    } catch (err) {
      throw new StoreError(`cannot write s3://${this.bucket}/${fullKey}: ${describe(err)}`, { cause: err });
    }
  }

  /**
   * A presigned GET of the page, valid `seconds` (7 days at most). A presigned URL stops working
   * when the credentials that signed it expire, whatever its own expiry says (Lambda's role
   * credentials last hours), so `expiresAt` is the earlier of the two. The credentials are
   * resolved before signing: the client's cached ones sign, or fresher ones that last longer.
   */
  pageLink(seconds: number, now = new Date()): Promise<PageLink> {
    return this.signedLink(PAGE_KEY, seconds, now);
  }

  /** A presigned GET of a stored report (`key` relative to the prefix), on the same terms as the page's link. */
  reportLink(key: string, seconds: number, now = new Date()): Promise<PageLink> {
    return this.signedLink(key, seconds, now);
  }

  private async signedLink(key: string, seconds: number, now: Date): Promise<PageLink> {
    if (!Number.isFinite(seconds) || seconds < 1) throw new RangeError(`a link must be valid at least 1 second, not ${seconds}`);
    const expiresIn = Math.min(Math.floor(seconds), MAX_LINK_SECONDS);
    const fullKey = prefixed(this.prefix, key);
    try {
      const credentials = await this.client.config.credentials();
      const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }), { expiresIn, signingDate: now });
      const until = now.getTime() + expiresIn * 1000;
      const expiration = credentials.expiration?.getTime();
      // A link that is dead on arrival is no link.
      if (expiration !== undefined && expiration <= now.getTime()) throw new Error(`the credentials that sign it expired at ${new Date(expiration).toISOString()}`);
      return { url, expiresAt: new Date(expiration !== undefined && expiration < until ? expiration : until).toISOString() };
    } catch (err) {
      throw new StoreError(`cannot sign a link to s3://${this.bucket}/${fullKey}: ${describe(err)}`, { cause: err });
    }
  }

  protected async remove(key: string): Promise<void> {
    const fullKey = prefixed(this.prefix, key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    } catch (err) {
      if (isMissing(err)) return;
      throw new StoreError(`cannot delete s3://${this.bucket}/${fullKey}: ${describe(err)}`, { cause: err });
    }
  }

  protected read(key: string): Promise<string | null> {
    return readS3Text(this.client, this.bucket, prefixed(this.prefix, key));
  }

  protected async list(start: string): Promise<string[]> {
    const root = prefixed(this.prefix, '');
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${root}${start}`, ContinuationToken: token }));
        for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key.slice(root.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw new StoreError(`cannot list s3://${this.bucket}/${root}${start}: ${describe(err)}`, { cause: err });
    }
    return keys;
  }
}

/** What an object is, for a browser that opens it: the status page is HTML, the rest JSON. */
function contentTypeOf(key: string): string {
  return key.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/json';
}
