import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FakeSlack } from './fake-slack.ts';

/**
 * Slack's Socket Mode endpoint, on loopback: `apps.connections.open` on the fake Web API answers
 * with this server's ws:// URL; a client that connects gets `hello`; `send()` delivers an envelope
 * and resolves with the client's acknowledgement (the JSON it sends back with the same envelope_id).
 * A minimal RFC 6455 server: text frames only, which is all Socket Mode uses.
 */
export interface FakeSocketMode {
  url: string;
  connected(): Promise<void>;
  send(envelope: {
    envelope_id: string;
    type: string;
    payload: unknown;
    accepts_response_payload?: boolean;
  }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x81, length])
      : length < 65_536
        ? Buffer.from([0x81, 126, length >> 8, length & 0xff])
        : Buffer.concat([
            Buffer.from([0x81, 127]),
            (() => {
              const b = Buffer.alloc(8);
              b.writeBigUInt64BE(BigInt(length));
              return b;
            })(),
          ]);
  return Buffer.concat([header, payload]);
}

/** Reads complete client frames (always masked) from `buffer`; returns them and what is left over. */
function readFrames(buffer: Buffer): { frames: Array<{ opcode: number; data: Buffer }>; rest: Buffer } {
  const frames: Array<{ opcode: number; data: Buffer }> = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const opcode = (buffer[offset] as number) & 0x0f;
    let length = (buffer[offset + 1] as number) & 0x7f;
    let pos = offset + 2;
    if (length === 126) {
      if (buffer.length < pos + 2) break;
      length = buffer.readUInt16BE(pos);
      pos += 2;
    } else if (length === 127) {
      if (buffer.length < pos + 8) break;
      length = Number(buffer.readBigUInt64BE(pos));
      pos += 8;
    }
    if (buffer.length < pos + 4 + length) break;
    const mask = buffer.subarray(pos, pos + 4);
    const data = Buffer.from(buffer.subarray(pos + 4, pos + 4 + length));
    for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) ^ (mask[i % 4] as number);
    frames.push({ opcode, data });
    offset = pos + 4 + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

export async function startFakeSocketMode(fake: FakeSlack): Promise<FakeSocketMode> {
  const sockets = new Set<Duplex>();
  const acks = new Map<string, (body: Record<string, unknown>) => void>();
  let onConnect: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    onConnect = resolve;
  });
  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket) => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) {
        if (f.opcode === 0x9) socket.write(Buffer.concat([Buffer.from([0x8a, f.data.length]), f.data])); // ping → pong
        if (f.opcode === 0x8) socket.end();
        if (f.opcode !== 0x1) continue;
        const body = JSON.parse(f.data.toString('utf8')) as Record<string, unknown>;
        const id = String(body.envelope_id ?? '');
        acks.get(id)?.(body);
        acks.delete(id);
      }
    });
    socket.write(frame(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' } })));
    onConnect();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`;
  fake.handle('apps.connections.open', () => ({ ok: true, url }));
  return {
    url,
    connected: () => connected,
    send(envelope) {
      const ack = new Promise<Record<string, unknown>>((resolve, reject) => {
        acks.set(envelope.envelope_id, resolve);
        setTimeout(() => reject(new Error(`no ack for ${envelope.envelope_id}`)), 5_000).unref();
      });
      for (const socket of sockets) socket.write(frame(JSON.stringify(envelope)));
      return ack;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
