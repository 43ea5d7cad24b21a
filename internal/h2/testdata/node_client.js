'use strict';
// An RFC 8441 client on Node's own HTTP/2 (nghttp2): waits for
// SETTINGS_ENABLE_CONNECT_PROTOCOL, opens a WebSocket with an extended
// CONNECT offering the subprotocol "chat", sends a masked text message,
// prints the echo, closes with 1000 and prints the server's close code.
// Usage: node node_client.js https://127.0.0.1:PORT/ CA.pem
const http2 = require('node:http2');
const fs = require('node:fs');
const crypto = require('node:crypto');

const [url, caFile] = process.argv.slice(2);
const fail = (msg) => {
  console.error(msg);
  process.exit(1);
};
setTimeout(() => fail('timed out'), 20000).unref();

// A masked frame of the client (RFC 6455 section 5.3), payload < 126 bytes.
function frame(op, payload) {
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from([0x80 | op, 0x80 | payload.length]), key, masked]);
}

const client = http2.connect(url, { ca: fs.readFileSync(caFile) });
client.on('error', (e) => fail('connection: ' + e.message));
client.once('remoteSettings', (settings) => {
  if (!settings.enableConnectProtocol) fail('no SETTINGS_ENABLE_CONNECT_PROTOCOL');
  const req = client.request({
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':path': '/',
    ':authority': new URL(url).host,
    'sec-websocket-version': '13',
    'sec-websocket-protocol': 'chat',
  });
  req.on('error', (e) => fail('stream: ' + e.message));
  req.on('response', (headers) => {
    if (headers[':status'] !== 200) fail('status ' + headers[':status']);
    if (headers['sec-websocket-accept'] !== undefined) fail('Sec-WebSocket-Accept in the 200');
    console.log('protocol ' + headers['sec-websocket-protocol']);
    req.write(frame(0x1, Buffer.from('hello from node')));
  });
  let buf = Buffer.alloc(0);
  req.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const op = buf[0] & 0x0f;
      const len = buf[1];
      if (buf[1] & 0x80 || len > 125) fail('unexpected frame header ' + buf.subarray(0, 2).toString('hex'));
      if (buf.length < 2 + len) return;
      const payload = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      if (op === 0x1) {
        console.log('echo ' + payload.toString());
        req.write(frame(0x8, Buffer.from([0x03, 0xe8])));
      } else if (op === 0x8) {
        console.log('close ' + payload.readUInt16BE(0));
        req.end();
      } else {
        fail('unexpected opcode ' + op);
      }
    }
  });
  req.on('end', () => client.close());
});
