/**
 * What the benchmarks share: the fleet a child serves, the median of samples, and the bare
 * client — Node's TLS handshakes and nothing else, with one shared context as a real client has
 * (a context per connection would make this floor slower). test/bench.ts runs it in its own
 * process; test/bench-peer.ts as a process of its own: `node bench-bare-client.js <names.json>
 * <concurrency>`.
 */
import { readFileSync } from 'node:fs';
import { connect, createSecureContext } from 'node:tls';

export interface Fleet {
  rootPem: string;
  /** name → port */
  names: [string, number][];
}

/** The middle sample (the upper one of an even count). */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One full handshake with each name on 127.0.0.1, `concurrency` at once; rejects on the first failure. */
export async function handshakeAll(names: readonly [string, number][], concurrency: number): Promise<void> {
  const secureContext = createSecureContext({});
  let next = 0;
  async function worker(): Promise<void> {
    while (next < names.length) {
      const [name, port] = names[next++];
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: name, rejectUnauthorized: false, secureContext }, () => {
          socket.end();
          resolve();
        });
        socket.on('error', reject);
      });
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
}

if (require.main === module) {
  const names = JSON.parse(readFileSync(process.argv[2], 'utf8')) as [string, number][];
  handshakeAll(names, Number(process.argv[3])).catch((err: unknown) => {
    process.stderr.write(`bare client failed: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
