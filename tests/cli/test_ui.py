"""Console progress: live status on a TTY, plain lines otherwise."""

from __future__ import annotations

import io
import threading

from chalice.cli.ui import ConsoleUI


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_output_when_not_a_tty() -> None:
    out, err = io.StringIO(), io.StringIO()
    ui = ConsoleUI(out=out, err=err)
    assert not ui.is_tty
    with ui.activity("Deploying"):
        ui.info("Creating IAM role: demo-dev")
        ui.warn("careful")
    assert out.getvalue() == "Creating IAM role: demo-dev\n"
    assert err.getvalue() == "careful\n"
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_status_line_on_a_tty() -> None:
    out = FakeTTY()
    times = iter([100.0, 100.0, 103.2, 103.2, 103.2, 103.2, 103.2, 103.2])
    ui = ConsoleUI(out=out, err=io.StringIO(), clock=lambda: next(times, 103.2), interval=3600)
    assert ui.is_tty
    with ui.activity("Deploying"):
        ui.info("Creating lambda function: demo-dev")
        ui.tick()
    text = out.getvalue()
    assert "Deploying (0s)" in text
    assert "Creating lambda function: demo-dev\n" in text
    assert "Deploying (3s)" in text
    assert text.endswith("\r\x1b[K")  # the status line is cleared at the end


def test_spinner_thread_stops() -> None:
    ui = ConsoleUI(out=FakeTTY(), err=io.StringIO(), interval=0.001)
    before = threading.active_count()
    with ui.activity("Working"):
        pass
    assert threading.active_count() == before


def test_concurrent_info_lines_stay_whole() -> None:
    out = io.StringIO()
    ui = ConsoleUI(out=out, err=io.StringIO(), tty=False)
    threads = [threading.Thread(target=lambda i=i: [ui.info(f"line {i}-{n}") for n in range(50)])
               for i in range(4)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 200 and all(line.startswith("line ") for line in lines)
