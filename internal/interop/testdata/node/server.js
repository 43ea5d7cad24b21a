'use strict';

// A WebSocket server built on Node's ws package, the peer of the Go
// interop tests. It listens on 127.0.0.1 on a port the system picks and
// prints that port as its first line of output. Afterwards each line it
// prints is a JSON report of what a connection saw, tagged with the id the
// client put in its URL (?id=...), so that the test can check what reached
// the server. It serves wss:// when started with --cert FILE --key FILE,
// and exits when its standard input ends, so it never outlives the test.
// Started with --unix PATH it listens on that Unix socket instead, and
// prints PATH as its first line.
//
// Routes (the path of the request URL):
//   /echo                 echoes every message with its type
//   /fragment?pieces=N    echoes every message split into N frames, with a
//                         ping "mid" sent between the first two
//   /close?code=C&reason=R[&after=N]
//                         echoes N messages (default 0), then closes with C, R
//   /protocol             sends the negotiated subprotocol as text, then echoes
//   /keepalive?interval=MS&timeout=MS&count=N
//                         sends "ready", pings N times as ws's README
//                         heartbeat does (1011 when a pong is late), then
//                         sends "alive", reports it and echoes
//   /ping?data=HEX        pings with the payload, then sends the payload of
//                         the pong it gets back as a binary message
//   /deflate              sends the permessage-deflate parameters it agreed
//                         as a JSON text message (null for none), then echoes
//   /401                  refuses the upgrade: 401 with a body
// Every connection reports the close code and reason it received.
//
// permessage-deflate (RFC 7692) is off, unless the query names one of the
// settings in deflateSettings (?deflate=NAME), whatever the path.

const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const refusalBody = '{"error":"token required"}\n';

// deflateSettings are the perMessageDeflate options a client can pick.
const deflateSettings = {
  default: true,
  'no-context-takeover': { serverNoContextTakeover: true, clientNoContextTakeover: true },
  'server-window-10': { serverMaxWindowBits: 10 },
  'client-window-9': { clientMaxWindowBits: 9 },
  'threshold-0': { threshold: 0 },
};

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] !== '--cert' && argv[i] !== '--key' && argv[i] !== '--unix') {
      throw new Error(`unknown argument ${argv[i]}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// split cuts data into n pieces of nearly equal length at byte offsets, so
// that a text message may be cut inside a UTF-8 sequence, as RFC 6455
// allows: only the whole message must be valid UTF-8.
function split(data, n) {
  const pieces = [];
  for (let i = 0; i < n; i++) {
    pieces.push(data.subarray(Math.floor((data.length * i) / n), Math.floor((data.length * (i + 1)) / n)));
  }
  return pieces;
}

function sendFragmented(ws, data, isBinary, n) {
  const pieces = split(data, n);
  pieces.forEach((piece, i) => {
    ws.send(piece, { binary: isBinary, fin: i === pieces.length - 1 });
    if (i === 0) {
      ws.ping('mid');
    }
  });
}

function echo(ws, data, isBinary) {
  ws.send(data, { binary: isBinary });
}

// deflateParams returns the parameters the server agreed, with the
// defaults RFC 7692 section 7.1 implies for those left out.
function deflateParams(ws) {
  const ext = ws._extensions['permessage-deflate'];
  if (!ext) {
    return null;
  }
  const p = ext.params;
  const bits = (v) => (typeof v === 'number' ? v : 15);
  return {
    server_no_context_takeover: p.server_no_context_takeover === true,
    client_no_context_takeover: p.client_no_context_takeover === true,
    server_max_window_bits: bits(p.server_max_window_bits),
    client_max_window_bits: bits(p.client_max_window_bits),
  };
}

// keepalive sends "ready", then pings count times, interval ms apart, as
// the heartbeat of ws's README does: a ping that goes timeout ms without
// a pong closes the connection with 1011. Then it sends "alive", reports
// it and echoes.
function keepalive(ws, q) {
  const interval = Number(q.get('interval'));
  const timeout = Number(q.get('timeout'));
  let left = Number(q.get('count'));
  ws.send('ready');
  const tick = () => {
    const late = setTimeout(() => ws.close(1011, 'keepalive ping timeout'), timeout);
    ws.once('pong', () => {
      clearTimeout(late);
      if (--left > 0) {
        setTimeout(tick, interval);
        return;
      }
      ws.send('alive');
      report({ id: q.get('id') || '', event: 'alive' });
      ws.on('message', (data, isBinary) => echo(ws, data, isBinary));
    });
    ws.ping();
  };
  setTimeout(tick, interval);
}

function onConnection(ws, req) {
  const url = new URL(req.url, 'ws://localhost');
  const q = url.searchParams;
  ws.on('close', (code, reason) => {
    report({ id: q.get('id') || '', event: 'close', code, reason: reason.toString() });
  });
  ws.on('error', (err) => {
    report({ id: q.get('id') || '', event: 'error', message: err.message });
  });
  switch (url.pathname) {
    case '/echo':
      ws.on('message', (data, isBinary) => echo(ws, data, isBinary));
      break;
    case '/fragment': {
      const n = Number(q.get('pieces'));
      ws.on('message', (data, isBinary) => sendFragmented(ws, data, isBinary, n));
      break;
    }
    case '/close': {
      const code = Number(q.get('code'));
      const reason = q.get('reason') || '';
      let left = Number(q.get('after') || '0');
      if (left === 0) {
        ws.close(code, reason);
        break;
      }
      ws.on('message', (data, isBinary) => {
        echo(ws, data, isBinary);
        if (--left === 0) {
          ws.close(code, reason);
        }
      });
      break;
    }
    case '/protocol':
      ws.send(ws.protocol);
      ws.on('message', (data, isBinary) => echo(ws, data, isBinary));
      break;
    case '/ping':
      ws.on('pong', (data) => ws.send(data, { binary: true }));
      ws.ping(Buffer.from(q.get('data') || '', 'hex'));
      break;
    case '/keepalive':
      keepalive(ws, q);
      break;
    case '/deflate':
      ws.send(JSON.stringify(deflateParams(ws)));
      ws.on('message', (data, isBinary) => echo(ws, data, isBinary));
      break;
    default:
      ws.close(1008, 'unknown path');
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const server = args.cert
    ? https.createServer({ cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) })
    : http.createServer();
  const options = {
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('b') ? 'b' : false),
    verifyClient: (info, done) => {
      if (info.req.url.startsWith('/401')) {
        done(false, 401, refusalBody, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': 'Bearer realm="interop"',
        });
        return;
      }
      done(true);
    },
  };
  // One server per permessage-deflate setting, '' for none.
  const servers = { '': new WebSocketServer(options) };
  for (const [name, perMessageDeflate] of Object.entries(deflateSettings)) {
    servers[name] = new WebSocketServer({ ...options, perMessageDeflate });
  }
  for (const wss of Object.values(servers)) {
    wss.on('connection', onConnection);
  }
  server.on('upgrade', (req, socket, head) => {
    const name = new URL(req.url, 'ws://localhost').searchParams.get('deflate') || '';
    const wss = Object.hasOwn(servers, name) ? servers[name] : null;
    if (!wss) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  if (args.unix) {
    server.listen(args.unix, () => process.stdout.write(`${args.unix}\n`));
  } else {
    server.listen(0, '127.0.0.1', () => {
      process.stdout.write(`${server.address().port}\n`);
    });
  }
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main();
