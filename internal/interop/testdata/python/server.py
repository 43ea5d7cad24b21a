"""A WebSocket server built on Python's websockets package (Debian's
python3-websockets, 10.4), the peer of the Go interop tests.

It listens on 127.0.0.1 on a port the system picks and prints that port as
its first line of output. Afterwards each line it prints is a JSON report of
what a connection saw, tagged with the id the client put in its URL
(?id=...), so that the test can check what reached the server. It serves
wss:// when started with --cert FILE --key FILE, and exits when its standard
input ends, so it never outlives the test. Started with --unix PATH it
listens on that Unix socket instead, and prints PATH as its first line.

Routes (the path of the request URL):
  /echo                 echoes every message with its type
  /fragment?pieces=N    echoes every message split into N frames (then the
                        empty final frame websockets adds), with a ping "mid"
                        sent between the first two
  /close?code=C&reason=R[&after=N]
                        echoes N messages (default 0), then closes with C, R
  /protocol             sends the negotiated subprotocol as text, then echoes
  /ping?data=HEX        pings with the payload, then, once the pong with that
                        same payload came back, sends it as a binary message
  /deflate              sends the permessage-deflate parameters it agreed as
                        a JSON text message (null for none), then echoes
  /keepalive?interval=MS&timeout=MS&count=N
                        sends "ready", pings N times as websockets'
                        keepalive does (1011 when a pong is late), then
                        sends "alive", reports it and echoes
  /401                  refuses the upgrade: 401 with a body
Every connection reports the close code and reason it received.

permessage-deflate (RFC 7692) is websockets' default (server and client
windows of 12 bits), unless the query names one of DEFLATE_SETTINGS
(?deflate=NAME), whatever the path.
"""

import argparse
import asyncio
import functools
import http
import json
import ssl
import sys
import urllib.parse

import websockets
from websockets.extensions.permessage_deflate import PerMessageDeflate, ServerPerMessageDeflateFactory

REFUSAL_BODY = b'{"error":"token required"}\n'
PONG_WAIT = 10  # seconds


# The permessage-deflate settings a client can pick.
DEFLATE_SETTINGS = {
    "no-context-takeover": ServerPerMessageDeflateFactory(
        server_no_context_takeover=True, client_no_context_takeover=True
    ),
    "server-window-10": ServerPerMessageDeflateFactory(server_max_window_bits=10),
    "client-window-9": ServerPerMessageDeflateFactory(client_max_window_bits=9),
}


class Protocol(websockets.WebSocketServerProtocol):
    """Negotiates permessage-deflate as the request's query says."""

    def process_extensions(self, headers, available_extensions):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        setting = query.get("deflate")
        if setting is not None:
            available_extensions = [DEFLATE_SETTINGS[setting]]
        return super().process_extensions(headers, available_extensions)


def deflate_params(ws):
    """The parameters of the permessage-deflate the server agreed, or None."""
    for ext in ws.extensions:
        if isinstance(ext, PerMessageDeflate):
            return {
                "server_no_context_takeover": ext.local_no_context_takeover,
                "client_no_context_takeover": ext.remote_no_context_takeover,
                "server_max_window_bits": ext.local_max_window_bits,
                "client_max_window_bits": ext.remote_max_window_bits,
            }
    return None


def report(**fields):
    print(json.dumps(fields), flush=True)


def split(data, n):
    """Cuts data into n pieces of nearly equal length."""
    return [data[len(data) * i // n : len(data) * (i + 1) // n] for i in range(n)]


async def fragments(ws, message, n):
    """Yields the pieces of message, pinging after the first, so that a
    control frame arrives in the middle of the fragmented message."""
    for i, piece in enumerate(split(message, n)):
        yield piece
        if i == 0:
            await ws.ping("mid")


async def echo(ws, count=None):
    """Echoes count messages, or all of them when count is None."""
    while count is None or count > 0:
        await ws.send(await ws.recv())
        if count is not None:
            count -= 1


async def keepalive(ws, q):
    """Sends "ready", then pings count times, interval ms apart, as
    websockets' own keepalive does: a ping that goes timeout ms without its
    pong closes the connection with 1011. Then it sends "alive", reports
    it, and echoes."""
    interval = int(q["interval"]) / 1000
    timeout = int(q["timeout"]) / 1000
    await ws.send("ready")
    for _ in range(int(q["count"])):
        await asyncio.sleep(interval)
        pong = await ws.ping()
        try:
            await asyncio.wait_for(pong, timeout)
        except asyncio.TimeoutError:
            await ws.close(1011, "keepalive ping timeout")
            return
    await ws.send("alive")
    report(id=q.get("id", ""), event="alive")
    await echo(ws)


async def handle(ws):
    url = urllib.parse.urlsplit(ws.path)
    q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    try:
        if url.path == "/echo":
            await echo(ws)
        elif url.path == "/fragment":
            n = int(q["pieces"])
            async for message in ws:
                await ws.send(fragments(ws, message, n))
        elif url.path == "/close":
            await echo(ws, int(q.get("after", "0")))
            await ws.close(int(q["code"]), q.get("reason", ""))
        elif url.path == "/protocol":
            await ws.send(ws.subprotocol or "")
            await echo(ws)
        elif url.path == "/deflate":
            await ws.send(json.dumps(deflate_params(ws)))
            await echo(ws)
        elif url.path == "/ping":
            data = bytes.fromhex(q.get("data", ""))
            pong = await ws.ping(data)
            # The waiter resolves only for a pong carrying this payload.
            await asyncio.wait_for(pong, PONG_WAIT)
            await ws.send(data)
            await echo(ws)
        elif url.path == "/keepalive":
            await keepalive(ws, q)
        else:
            await ws.close(1008, "unknown path")
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    report(id=q.get("id", ""), event="close", code=ws.close_code, reason=ws.close_reason)


async def refuse(path, headers):
    if path.startswith("/401"):
        return (
            http.HTTPStatus.UNAUTHORIZED,
            [("Content-Type", "application/json"), ("WWW-Authenticate", 'Bearer realm="interop"')],
            REFUSAL_BODY,
        )
    return None


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--unix")
    args = parser.parse_args()
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    if args.unix:
        serve = functools.partial(websockets.unix_serve, handle, args.unix)
    else:
        serve = functools.partial(websockets.serve, handle, "127.0.0.1", 0)
    async with serve(
        ssl=tls,
        process_request=refuse,
        subprotocols=["b"],
        max_size=None,  # the tests send up to 16 MiB
        ping_interval=None,  # pings only where a test asks for them
        create_protocol=Protocol,
    ) as server:
        print(args.unix or server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)


if __name__ == "__main__":
    asyncio.run(main())
