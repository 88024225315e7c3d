"""Which wheels can run on a given Lambda target (Python version + architecture).

A Lambda function runs CPython ``X.Y`` on Amazon Linux for one machine type;
the build machine may be anything (macOS, Windows, another glibc). This module
answers, from file names alone, "is this wheel usable there?" and tells pip
which tags to ask for. Wheel tags follow PEP 425/427 with the manylinux
(PEP 513/571/599/600) platform names.

Pure computation: this module never touches the disk, the network or pip.
"""

from __future__ import annotations

import re

import attrs

from chalice.errors import BuildError

# The glibc of the Amazon Linux image behind each Lambda Python runtime:
# python3.10/3.11 run on Amazon Linux 2 (glibc 2.26), python3.12 and later on
# Amazon Linux 2023 (glibc 2.34). Versions we do not know fall back to the
# oldest glibc any current manylinux wheel targets.
_GLIBC_BY_PYTHON: dict[tuple[int, int], tuple[int, int]] = {
    (3, 8): (2, 26),
    (3, 9): (2, 26),
    (3, 10): (2, 26),
    (3, 11): (2, 26),
}
_GLIBC_AL2023 = (2, 34)
_GLIBC_FALLBACK = (2, 17)

# Lambda's architecture names -> the machine name used in wheel platform tags.
_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}

# Legacy manylinux aliases and the glibc they promise.
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
# manylinux1/2010 were only defined for Intel machines.
_LEGACY_MACHINES = {
    "manylinux1": ("x86_64", "i686"),
    "manylinux2010": ("x86_64", "i686"),
    "manylinux2014": ("x86_64", "i686", "aarch64", "ppc64le", "s390x", "armv7l", "ppc64"),
}

_RUNTIME_RE = re.compile(r"^python(\d+)\.(\d+)$")
_PEP600_RE = re.compile(r"^manylinux_(\d+)_(\d+)_(.+)$")
_CP_RE = re.compile(r"^(?:cp|py)(\d)(\d*)$")


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: ``Foo_Bar.baz`` -> ``foo-bar-baz``."""
    return re.sub(r"[-_.]+", "-", name).lower()


@attrs.frozen
class Target:
    """The Lambda environment a package is built for.

    ``Target.for_lambda("python3.12", "arm64")`` is CPython 3.12 on aarch64
    with glibc 2.34.
    """

    python: tuple[int, int]
    machine: str
    glibc: tuple[int, int]

    @classmethod
    def for_lambda(cls, runtime: str, architecture: str) -> Target:
        """The target of a Lambda ``runtime`` (``python3.X``) and ``architecture``."""
        match = _RUNTIME_RE.match(runtime)
        if match is None:
            raise BuildError(
                f"Unsupported Lambda runtime {runtime!r}.",
                fix="Use a Python runtime name such as 'python3.12'.",
            )
        machine = _MACHINES.get(architecture)
        if machine is None:
            raise BuildError(
                f"Unsupported Lambda architecture {architecture!r}.",
                where="lambda_architecture in .chalice/config.json",
                fix="Use 'x86_64' or 'arm64'.",
            )
        python = (int(match.group(1)), int(match.group(2)))
        if python in _GLIBC_BY_PYTHON:
            glibc = _GLIBC_BY_PYTHON[python]
        elif python >= (3, 12):
            glibc = _GLIBC_AL2023
        else:
            glibc = _GLIBC_FALLBACK
        return cls(python=python, machine=machine, glibc=glibc)

    @property
    def abi(self) -> str:
        """The CPython ABI tag, e.g. ``cp312``."""
        return f"cp{self.python[0]}{self.python[1]}"

    @property
    def runtime(self) -> str:
        """The Lambda runtime name, e.g. ``python3.12``."""
        return f"python{self.python[0]}.{self.python[1]}"

    def platform_tags(self) -> list[str]:
        """Every manylinux platform tag this target can load, newest glibc first.

        pip does not expand a ``--platform manylinux_2_34_x86_64`` to older
        glibc versions, so we list them all.
        """
        major, minor = self.glibc
        tags = [f"manylinux_{major}_{m}_{self.machine}" for m in range(minor, 4, -1)]
        for legacy, glibc in sorted(_LEGACY_MANYLINUX.items(), key=lambda kv: kv[1], reverse=True):
            if glibc <= self.glibc and self.machine in _LEGACY_MACHINES[legacy]:
                tags.append(f"{legacy}_{self.machine}")
        return tags

    def pip_args(self) -> list[str]:
        """pip options that make ``pip download`` choose wheels for this target."""
        args: list[str] = []
        for tag in self.platform_tags():
            args += ["--platform", tag]
        args += [
            "--implementation",
            "cp",
            "--python-version",
            f"{self.python[0]}.{self.python[1]}",
            "--abi",
            self.abi,
            "--abi",
            "abi3",
            "--abi",
            "none",
        ]
        return args


@attrs.frozen
class WheelName:
    """The parts of a wheel file name (PEP 427), tags expanded."""

    name: str
    version: str
    tags: frozenset[tuple[str, str, str]]

    @property
    def is_pure(self) -> bool:
        """True when every tag is ``*-none-any``: no compiled code, any platform."""
        return all(abi == "none" and plat == "any" for _, abi, plat in self.tags)


def parse_wheel_filename(filename: str) -> WheelName | None:
    """Split ``name-ver[-build]-py-abi-plat.whl``; None if it is not a wheel name.

    Compressed tag sets are expanded: ``py2.py3-none-any`` gives two tags.
    """
    if not filename.endswith(".whl"):
        return None
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return None
    pythons, abis, plats = parts[-3], parts[-2], parts[-1]
    tags = frozenset(
        (py, abi, plat)
        for py in pythons.split(".")
        for abi in abis.split(".")
        for plat in plats.split(".")
    )
    return WheelName(name=normalize_name(parts[0]), version=parts[1], tags=tags)


def _python_tag_ok(python_tag: str, abi: str, target: Target) -> bool:
    match = _CP_RE.match(python_tag)
    if match is None:
        return False  # pp3, ip, jy...: not CPython.
    major = int(match.group(1))
    minor = int(match.group(2)) if match.group(2) else None
    if major != target.python[0]:
        return False
    is_cpython = python_tag.startswith("cp")
    if abi == "abi3":
        # The stable ABI: built for 3.N, loads on any later 3.x CPython.
        return is_cpython and minor is not None and minor <= target.python[1]
    if abi == "none":
        if is_cpython:
            return minor == target.python[1]
        return minor is None or minor <= target.python[1]
    # A version-specific ABI (cp312, cp312d...): only the exact interpreter.
    return is_cpython and abi == target.abi and minor == target.python[1]


def platform_glibc(platform: str, machine: str) -> tuple[int, int] | None:
    """The glibc a manylinux platform tag needs on ``machine``; None if not manylinux for it.

    ``manylinux2014_x86_64`` -> (2, 17); ``manylinux_2_28_aarch64`` -> (2, 28);
    ``musllinux_1_1_x86_64`` or ``linux_x86_64`` -> None.
    """
    match = _PEP600_RE.match(platform)
    if match is not None:
        if match.group(3) != machine:
            return None
        return (int(match.group(1)), int(match.group(2)))
    for legacy, glibc in _LEGACY_MANYLINUX.items():
        if platform == f"{legacy}_{machine}":
            return glibc
    return None


def tag_is_compatible(tag: tuple[str, str, str], target: Target) -> bool:
    """Whether one (python, abi, platform) tag can load on ``target``.

    ``linux_*`` wheels are rejected: they were built for whatever glibc the
    machine that built them had, and nothing says that is Lambda's.
    musllinux wheels need musl libc, which Amazon Linux does not have.
    """
    python_tag, abi, platform = tag
    if abi not in ("none", "abi3", target.abi):
        return False
    if not _python_tag_ok(python_tag, abi, target):
        return False
    if platform == "any":
        return True
    glibc = platform_glibc(platform, target.machine)
    return glibc is not None and glibc <= target.glibc


def is_compatible(wheel: WheelName, target: Target) -> bool:
    """Whether any of the wheel's tags can load on ``target``."""
    return any(tag_is_compatible(tag, target) for tag in wheel.tags)
