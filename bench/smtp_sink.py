"""A counting SMTP sink in its own process, for the benchmarks: prints how many messages it
received when it gets SIGTERM.

    python -m bench.smtp_sink PORT
"""

from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class CountingSink:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    print(sink.received, flush=True)


if __name__ == "__main__":
    main()
