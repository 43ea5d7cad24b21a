"""A WebSocket client built on Python's websockets package (Debian's
python3-websockets, 10.4), the peer of the Go interop tests of ws.Accept.

It takes a plan, as JSON, as its only argument, prints "client" as its first
line (a server peer prints its port there), then a JSON report per event. It
exits once the connection is closed, or when its standard input ends.

The plan:
  url          the server to connect to
  protocols    the subprotocols to offer, if any
  origin       the Origin header to send, if any
  deflate      null: no permessage-deflate offer; {"default": true}:
               websockets' default offer; otherwise the parameters to offer,
               by their RFC 7692 names (client_max_window_bits true offers it
               without a value; left out, it is not offered)
  fragments    echo every message received in this many frames
  ping         ping with this payload (hex) once open; when the pong with
               that payload comes, report it and send the payload as a binary
               message
  close        {after, code, reason}: close with code and reason after
               echoing `after` messages

Reports: open (protocol, deflate: the parameters agreed, as the server peer
reports them), pong (data), refused (status), error (message), close (code,
reason). Every message received is echoed with its type.
"""

import asyncio
import json
import os
import sys
import threading
import traceback

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory, PerMessageDeflate

PONG_WAIT = 10  # seconds


def report(**fields):
    print(json.dumps(fields), flush=True)


def deflate_options(d):
    """The arguments of websockets.connect that make the plan's offer."""
    if d is None:
        return {"compression": None}
    if d.get("default"):
        return {}
    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=d.get("server_no_context_takeover", False),
        client_no_context_takeover=d.get("client_no_context_takeover", False),
        server_max_window_bits=d.get("server_max_window_bits"),
        client_max_window_bits=d.get("client_max_window_bits"),
    )
    return {"extensions": [factory]}


def deflate_params(ws):
    """The parameters of the permessage-deflate agreed, or None."""
    for ext in ws.extensions:
        if isinstance(ext, PerMessageDeflate):
            return {
                "server_no_context_takeover": ext.remote_no_context_takeover,
                "client_no_context_takeover": ext.local_no_context_takeover,
                "server_max_window_bits": ext.remote_max_window_bits,
                "client_max_window_bits": ext.local_max_window_bits,
            }
    return None


def split(data, n):
    """Cuts data into n pieces of nearly equal length."""
    return [data[len(data) * i // n : len(data) * (i + 1) // n] for i in range(n)]


async def run(plan):
    try:
        ws = await websockets.connect(
            plan["url"],
            subprotocols=plan.get("protocols"),
            origin=plan.get("origin"),
            max_size=None,  # the tests send up to 16 MiB
            ping_interval=None,  # pings only where the plan asks for them
            **deflate_options(plan.get("deflate")),
        )
    except websockets.InvalidStatusCode as e:
        report(event="refused", status=e.status_code)
        return
    except (websockets.InvalidHandshake, OSError) as e:
        report(event="error", message=str(e))
        return
    report(event="open", protocol=ws.subprotocol or "", deflate=deflate_params(ws))
    close = plan.get("close")
    try:
        if "ping" in plan:
            data = bytes.fromhex(plan["ping"])
            # The waiter resolves only for a pong carrying this payload.
            await asyncio.wait_for(await ws.ping(data), PONG_WAIT)
            report(event="pong", data=data.hex())
            await ws.send(data)
        echoed = 0
        while not close or echoed < close["after"]:
            message = await ws.recv()
            pieces = plan.get("fragments", 1)
            await ws.send(split(message, pieces) if pieces > 1 else message)
            echoed += 1
        await ws.close(close["code"], close["reason"])
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    report(event="close", code=ws.close_code, reason=ws.close_reason)


def main():
    plan = json.loads(sys.argv[1])
    print("client", flush=True)
    # The client exits when its standard input ends, so that it never
    # outlives the test.
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    code = 0
    try:
        asyncio.run(run(plan))
    except Exception:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    # A normal exit would wait for the thread reading standard input.
    os._exit(code)


if __name__ == "__main__":
    main()
