#!/usr/bin/env python3
"""A TCP proxy in front of a test registry (registry_lib.sh's start_proxy) for the fault tests:
it forwards bytes both ways unchanged, logs each request it sees pass ("METHOD PATH range=R"),
and slows the responses to GETs of one blob (--slow DIGEST-HEX) to --rate bytes a second,
creating --mark once --mark-after bytes of that blob's response have gone to the client. So a
test can kill the registry while a pull is certainly in the middle of that blob: the proxy then
closes the client's connection, as a cut connection looks to a client.
"""
import argparse
import asyncio


async def pump_requests(reader, writer, state, args):
    """Client -> upstream, noting each request's line and Range header."""
    buf = b""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
            buf += data
            while b"\r\n\r\n" in buf:
                head, _, buf = buf.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split()
                if len(parts) < 2:
                    continue
                rng = "-"
                for line in lines[1:]:
                    if line.lower().startswith("range:"):
                        rng = line.split(":", 1)[1].strip()
                state["slow"] = parts[0] == "GET" and args.slow and f"/blobs/sha256:{args.slow}" in parts[1]
                with open(args.log, "a") as log:
                    print(parts[0], parts[1], f"range={rng}", file=log)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def pump_responses(reader, writer, state, args):
    """Upstream -> client, slowed while the last request was for the slow blob."""
    sent = 0
    try:
        while data := await reader.read(16384):
            if state.get("slow"):
                sent += len(data)
                if sent >= args.mark_after and args.mark:
                    open(args.mark, "a").close()
                await asyncio.sleep(len(data) / args.rate)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer, args):
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", args.upstream)
    except OSError:
        client_writer.close()
        return
    state = {}
    await asyncio.gather(pump_requests(client_reader, up_writer, state, args),
                         pump_responses(up_reader, client_writer, state, args))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--slow", default="")
    p.add_argument("--rate", type=float, default=4 << 20)
    p.add_argument("--mark", default="")
    p.add_argument("--mark-after", type=int, default=1 << 20)
    args = p.parse_args()
    open(args.log, "a").close()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", args.port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
