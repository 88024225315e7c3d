"""A deploy ``Reporter`` that keeps its lines in memory, for assertions in tests."""

from __future__ import annotations

from chalice.deploy.reporter import Reporter


class RecordingReporter(Reporter):
    """Keeps progress lines in ``lines`` and warnings in ``warnings``."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.warnings: list[str] = []
        super().__init__(out=self.lines.append, err=self.warnings.append)

    @property
    def text(self) -> str:
        """The progress lines as printed, one per line."""
        return "\n".join(self.lines) + "\n"
