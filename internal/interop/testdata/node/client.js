'use strict';

// A WebSocket client built on Node's ws package, the peer of the Go
// interop tests of ws.Accept. It takes a plan, as JSON, as its only
// argument, prints "client" as its first line (a server peer prints its
// port there), then a JSON report per event. It exits once the
// connection is closed, or when its standard input ends.
//
// The plan:
//   url          the server to connect to
//   protocols    the subprotocols to offer, if any
//   origin       the Origin header to send, if any
//   deflate      null: no permessage-deflate offer; {default: true}: ws's
//                default offer; otherwise the parameters to offer, by
//                their RFC 7692 names (client_max_window_bits true offers
//                it without a value; left out, it is not offered)
//   fragments    echo every message received in this many frames (cut at
//                byte offsets, so a text message may be cut inside a
//                UTF-8 sequence, as RFC 6455 allows)
//   ping         ping with this payload (hex) once open; when the pong
//                comes, report it and send its payload as a binary message
//   close        {after, code, reason}: close with code and reason after
//                echoing `after` messages
//
// Reports: open (protocol, deflate: the parameters agreed, as the server
// peer reports them), pong (data), refused (status), error (message),
// close (code, reason). Every message received is echoed with its type.

const WebSocket = require('ws');

const plan = JSON.parse(process.argv[2]);
process.stdout.write('client\n');

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function deflateOption(d) {
  if (!d) {
    return false;
  }
  if (d.default) {
    return true;
  }
  return {
    // Left out rather than false: clientNoContextTakeover false would
    // refuse a server that asks for it unasked, as RFC 7692 section
    // 7.1.1.2 lets it.
    serverNoContextTakeover: d.server_no_context_takeover || undefined,
    clientNoContextTakeover: d.client_no_context_takeover || undefined,
    serverMaxWindowBits: d.server_max_window_bits,
    clientMaxWindowBits: d.client_max_window_bits === undefined ? false : d.client_max_window_bits,
    threshold: 0,
  };
}

// deflateParams returns the parameters agreed, with the defaults RFC 7692
// section 7.1 implies for those left out, or null.
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

function split(data, n) {
  const pieces = [];
  for (let i = 0; i < n; i++) {
    pieces.push(data.subarray(Math.floor((data.length * i) / n), Math.floor((data.length * (i + 1)) / n)));
  }
  return pieces;
}

function echo(ws, data, isBinary) {
  const pieces = split(data, Math.max(1, plan.fragments || 1));
  pieces.forEach((piece, i) => ws.send(piece, { binary: isBinary, fin: i === pieces.length - 1 }));
}

const ws = new WebSocket(plan.url, plan.protocols || [], {
  origin: plan.origin,
  perMessageDeflate: deflateOption(plan.deflate),
  maxPayload: 0, // no limit: the tests send up to 16 MiB
});
ws.on('open', () => {
  report({ event: 'open', protocol: ws.protocol, deflate: deflateParams(ws) });
  if (plan.ping !== undefined) {
    ws.ping(Buffer.from(plan.ping, 'hex'));
  }
  if (plan.close && plan.close.after === 0) {
    ws.close(plan.close.code, plan.close.reason);
  }
});
ws.on('pong', (data) => {
  report({ event: 'pong', data: data.toString('hex') });
  ws.send(data, { binary: true });
});
let echoed = 0;
ws.on('message', (data, isBinary) => {
  echo(ws, data, isBinary);
  echoed++;
  if (plan.close && echoed === plan.close.after) {
    ws.close(plan.close.code, plan.close.reason);
  }
});
ws.on('unexpected-response', (req, res) => {
  report({ event: 'refused', status: res.statusCode });
  req.destroy();
  process.exit(0);
});
ws.on('error', (err) => report({ event: 'error', message: err.message }));
ws.on('close', (code, reason) => {
  report({ event: 'close', code, reason: reason.toString() });
  process.exit(0);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
