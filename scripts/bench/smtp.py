"""SMTP intake under load: the real server from `app.smtp_server()`, 8 concurrent clients.
Targets: >= 250 msg/s accepted and p99 < 50 ms from the end of DATA to the 250 reply.

Two modes, each in a fresh temporary SWITCHDESK_HOME (SQLite default, migrated, demo directory
loaded), with `settings.smtp_listen` on a free loopback port:

- `with_processor`: the inbound processor runs in a background thread as `switchdesk serve`
  runs it (`threading.Thread(target=app.inbound_processor.run, args=(stop, app.spooler.wake))`),
  so spooling and ticketing share the process (and, like serve, `gc.freeze()` once started,
  unless --no-gc-freeze). After the clients finish, the benchmark waits until every message
  is processed and reports how long processing lagged behind acceptance.
- `smtp_only`: the processor is not started; SMTP acceptance (spool commit per message) alone.

The clients run in a separate process (this script with --client), so they do not compete
with the server for its GIL (they do share the machine's cores; their CPU is reported):
--clients threads, each with one connection kept open, send --count generated messages
(scripts/gen_mail.generate, CRLF bytes) round-robin. Per message: MAIL, RCPT, DATA; the
end-of-DATA-to-reply time (the message sent, then the "250" awaited) and the whole DATA
command (DATA ... 250) are recorded. msg/s is accepted messages over the
time from all clients connected to the last reply.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/smtp.py [--count 5000] [--clients 8] [--seed 7]
    .venv/bin/python scripts/bench/smtp.py --modes smtp_only
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import resource
import smtplib
import socket
import subprocess
import sys
import threading
import time
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any

from intake_common import (
    db_counts,
    fresh_home,
    generate,
    load_average,
    log,
    machine,
    make_app,
    percentiles,
    processed_count,
)

TARGET_MSG_S = 250.0
TARGET_P99_MS = 50.0
DESK = "servicedesk@switchdesk.example"
MODES = ("with_processor", "smtp_only")
_LEADING_DOT = re.compile(rb"(?m)^\.")


# --- client process ------------------------------------------------------------------------


def envelope_sender(raw: bytes) -> str:
    headers = BytesHeaderParser().parsebytes(raw)
    return parseaddr(str(headers.get("From", "")))[1]


def client_main(port: int, count: int, clients: int, seed: int) -> None:
    messages = [(envelope_sender(raw), raw) for raw in generate(count, seed)]
    shares = [messages[i::clients] for i in range(clients)]
    ready = threading.Barrier(clients + 1)
    results: list[dict[str, Any]] = [{} for _ in range(clients)]

    def send(index: int) -> None:
        end_of_data: list[float] = []
        data_command: list[float] = []
        codes: dict[str, int] = {}
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
            client.ehlo("bench.example")
            ready.wait()
            for sender, raw in shares[index]:
                client.mail(sender)
                code, _ = client.rcpt(DESK)
                if code != 250:
                    codes[str(code)] = codes.get(str(code), 0) + 1
                    client.rset()
                    continue
                payload = _LEADING_DOT.sub(b"..", raw)
                if not payload.endswith(b"\r\n"):
                    payload += b"\r\n"
                t0 = time.perf_counter()
                client.putcmd("data")
                code, reply = client.getreply()
                if code != 354:
                    codes[str(code)] = codes.get(str(code), 0) + 1
                    client.rset()
                    continue
                client.send(payload + b".\r\n")
                t1 = time.perf_counter()
                code, reply = client.getreply()
                t2 = time.perf_counter()
                codes[str(code)] = codes.get(str(code), 0) + 1
                end_of_data.append((t2 - t1) * 1000)
                data_command.append((t2 - t0) * 1000)
        results[index] = {
            "end_of_data": end_of_data,
            "data_command": data_command,
            "codes": codes,
            "finished": time.monotonic(),
        }

    threads = [threading.Thread(target=send, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started, cpu_started = time.monotonic(), time.process_time()
    for thread in threads:
        thread.join()
    cpu_sending = time.process_time() - cpu_started
    ended = max(r["finished"] for r in results)
    codes: dict[str, int] = {}
    for r in results:
        for code, n in r["codes"].items():
            codes[code] = codes.get(code, 0) + n
    end_of_data = [x for r in results for x in r["end_of_data"]]
    data_command = [x for r in results for x in r["data_command"]]
    accepted = codes.get("250", 0)
    print(
        json.dumps(
            {
                "sent": len(messages),
                "accepted": accepted,
                "reply_codes": codes,
                "started_monotonic": started,
                "ended_monotonic": ended,
                "wall_s": ended - started,
                "end_of_data_to_reply": percentiles(end_of_data),
                "data_command_to_reply": percentiles(data_command),
                "client_cpu_s_total": time.process_time(),
                "client_cpu_s_sending": cpu_sending,
            }
        )
    )


# --- server side ---------------------------------------------------------------------------


def free_port() -> int:
    """aiosmtpd's Controller cannot start on port 0: take one the kernel hands out."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_mode(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    with fresh_home(f"switchdesk-bench-smtp-{mode}-") as home:
        port = free_port()
        app = make_app(home, smtp_listen=f"127.0.0.1:{port}")
        stop = threading.Event()
        processor: threading.Thread | None = None
        server = app.smtp_server()
        if server is None:
            raise RuntimeError("smtp_listen is off")
        try:
            if mode == "with_processor":
                processor = threading.Thread(
                    target=app.inbound_processor.run,
                    args=(stop, app.spooler.wake),
                    name="inbound",
                    daemon=True,
                )
                processor.start()
            server.start()
            if args.gc_freeze:  # as `switchdesk serve` does once everything has started
                gc.freeze()
            load_before = load_average()
            cpu0 = time.process_time()
            usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            log(f"{mode}: {args.clients} clients sending {args.count} messages to port {port}")
            child = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--client",
                    "--port",
                    str(port),
                    "--count",
                    str(args.count),
                    "--clients",
                    str(args.clients),
                    "--seed",
                    str(args.seed),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            samples: list[tuple[float, int]] = []  # (monotonic, processed so far)
            while child.poll() is None:
                time.sleep(args.sample_seconds)
                if processor is not None:
                    samples.append((time.monotonic(), processed_count(app)))
            out, _ = child.communicate()
            if child.returncode != 0:
                raise RuntimeError(f"client process exited {child.returncode}")
            client = json.loads(out)
            server_cpu_send = time.process_time() - cpu0
            usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            load_after_send = load_average()
            drained_at: float | None = None
            if processor is not None:
                deadline = time.monotonic() + args.drain_timeout
                while time.monotonic() < deadline:
                    samples.append((time.monotonic(), processed_count(app)))
                    if samples[-1][1] >= client["accepted"]:
                        drained_at = samples[-1][0]
                        break
                    time.sleep(args.sample_seconds)
            server_cpu_total = time.process_time() - cpu0
        finally:
            gc.unfreeze()
            server.stop()
            stop.set()
            app.spooler.wake.set()
            if processor is not None:
                processor.join(timeout=60)
        counts = db_counts(app)
        app.close()
    wall = client["wall_s"]
    accepted = client["accepted"]
    p99 = client["end_of_data_to_reply"]["p99_ms"]
    result: dict[str, Any] = {
        "accepted": accepted,
        "sent": client["sent"],
        "reply_codes": client["reply_codes"],
        "send_wall_s": round(wall, 3),
        "accepted_msg_per_s": round(accepted / wall, 1),
        "end_of_data_to_reply": client["end_of_data_to_reply"],
        "data_command_to_reply": client["data_command_to_reply"],
        "meets_target_msg_per_s": accepted / wall >= TARGET_MSG_S,
        "meets_target_p99": p99 < TARGET_P99_MS,
        "server_cpu_s_while_sending": round(server_cpu_send, 3),
        "server_cpu_ms_per_msg_while_sending": round(server_cpu_send * 1000 / max(accepted, 1), 3),
        # the clients share the machine's cores with the server: their CPU while sending
        "client_process_cpu_s_while_sending": round(client["client_cpu_s_sending"], 3),
        "client_process_cpu_s_total_incl_generating": round(
            (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime), 3
        ),
        "load_average": {
            "before": load_before,
            "after_send": load_after_send,
            "after": load_average(),
        },
    }
    if processor is not None:
        started, ended = client["started_monotonic"], client["ended_monotonic"]
        before_end = [n for t, n in samples if t <= ended]
        at_end = before_end[-1] if before_end else 0
        lag = drained_at - ended if drained_at is not None else None
        every = max(1, round(1.0 / args.sample_seconds))
        result["processing"] = {
            "processed_when_sending_ended": at_end,
            "backlog_when_sending_ended": accepted - at_end,
            "all_processed": drained_at is not None,
            "lag_after_last_accept_s": round(lag, 2) if lag is not None else None,
            "processed_msg_per_s_overall": round(accepted / (wall + lag), 1)
            if lag is not None
            else None,
            "server_cpu_s_total": round(server_cpu_total, 3),
            "sample_resolution_s": args.sample_seconds,
            "processed_series_s_count": [
                (round(t - started, 2), n) for t, n in samples[::every] if t >= started
            ],
        }
    result["database"] = counts
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES)
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=900.0,
        help="seconds to wait for the processor to catch up",
    )
    parser.add_argument(
        "--sample-seconds",
        type=float,
        default=0.1,
        help="how often the processed count is sampled while sending",
    )
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="do not gc.freeze() after start-up (serve does since 80c88b8)",
    )
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        client_main(args.port, args.count, args.clients, args.seed)
        return
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or set(modes) - set(MODES):
        parser.error(f"--modes: choose from {', '.join(MODES)}")
    if args.count < 1 or args.clients < 1:
        parser.error("--count and --clients must be >= 1")

    started = time.perf_counter()
    load_start = load_average()
    results: dict[str, Any] = {}
    for mode in modes:
        results[mode] = run_mode(mode, args)
        r = results[mode]
        log(
            f"  {mode}: {r['accepted_msg_per_s']} msg/s, "
            f"p99 {r['end_of_data_to_reply']['p99_ms']} ms"
        )
    print(
        json.dumps(
            {
                "benchmark": "smtp",
                "count": args.count,
                "clients": args.clients,
                "seed": args.seed,
                "gc_freeze_after_start": args.gc_freeze,
                "machine": machine(),
                "target_msg_per_s": TARGET_MSG_S,
                "target_p99_ms": TARGET_P99_MS,
                "modes": results,
                "load_average": {"start": load_start, "end": load_average()},
                "wall_s": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
