import { hierarchy } from './fixtures/pki';
import { startTlsServer } from './fixtures/tls-server';
import { handshake } from '../lib/tls/connect';

it('scratch', async () => {
  const h = await hierarchy();
  const leaf = await h.leaf({ cn: 'good.test' });
  for (const [name, chain, opts] of [
    ['ordered', [leaf, h.intermediate, h.root], {}],
    ['reversed', [leaf, h.root, h.intermediate], {}],
    ['tls12', [leaf, h.intermediate], { maxVersion: 'TLSv1.2' }],
    ['tls12-noticket', [leaf, h.intermediate], { maxVersion: 'TLSv1.2', tickets: false }],
    ['tls12-nocache', [leaf, h.intermediate], { maxVersion: 'TLSv1.2', sessionCache: false }],
    ['tls13-noticket', [leaf, h.intermediate], { tickets: false }],
    ['tls13-none', [leaf, h.intermediate], { tickets: false, sessionCache: false }],
  ] as const) {
    const srv = await startTlsServer({ chain: [...chain], ...opts });
    const first = await handshake({ address: '127.0.0.1', port: srv.port, servername: 'good.test', timeoutMs: 2000, collectChain: true, sessionWaitMs: 300 });
    const res = [];
    for (let i = 0; i < 3; i++) {
      const again = await handshake({ address: '127.0.0.1', port: srv.port, servername: 'good.test', timeoutMs: 2000, session: first.session ?? undefined, sessionWaitMs: 300, maxVersion: first.protocol as 'TLSv1.2' });
      res.push(again.resumed);
    }
    const nt = await handshake({ address: '127.0.0.1', port: srv.port, servername: 'good.test', timeoutMs: 2000, sessionWaitMs: 300, noTicket: true, maxVersion: 'TLSv1.2' }).catch(e => e);
    const res2 = [];
    if (nt.session) for (let i = 0; i < 3; i++) {
      const again = await handshake({ address: '127.0.0.1', port: srv.port, servername: 'good.test', timeoutMs: 2000, session: nt.session, noTicket: true, maxVersion: 'TLSv1.2' });
      res2.push(again.resumed);
    }
    console.log(name, first.protocol, first.chain.map(c => c.subject), first.hasTicket, first.session?.length, first.handshakeMs, res, 'noticket:', nt.message ?? nt.hasTicket, res2, srv.stats);
    await srv.close();
  }
});
