"""What a store file is and why it cannot be used, decided by its cause: the file's type and
size (``stat``), its first bytes (the DuckDB magic, or another format's), the POSIX lock
DuckDB holds on it, the ``errno`` of a failed file operation and the type of a DuckDB
exception, never the wording of an error message; and the atomic creation of a new store
(docs/store.md, "Damaged, foreign and newer files" and "Transactions and concurrency").
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from summitry.store.schema import StoreError

if TYPE_CHECKING:
    import duckdb

DUCKDB_MAGIC = b"DUCK"
"""Bytes 8-11 of every DuckDB database file."""
HEADER_BYTES = 3 * 4096
"""A DuckDB file starts with three 4 KiB headers; a shorter one is truncated."""
_VERSION_AT = slice(52, 84)
"""Where DuckDB (1.2 on) writes the version of the library that created the file."""

FOREIGN_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "an Arrow file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\x28\xb5\x2f\xfd", "a zstd file"),
    (b"\x7fELF", "an executable (ELF)"),
)
"""Magic bytes of formats a store path is likely to hold by mistake, for the message."""

_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}
"""Settings of every store connection: DuckDB must never fetch an extension (it tries to
download its SQLite reader when it is handed a SQLite file)."""


def damaged(path: Path, reason: str) -> StoreError:
    """The one line for a store DuckDB cannot read (docs/store.md)."""
    return StoreError(
        f"{path} is damaged ({reason}); runs in it may still be readable with "
        f"`summitry runs export` or `duckdb {path}`"
    )


def not_a_store(path: Path, what: str) -> StoreError:
    return StoreError(f"{path} is not a summitry store: {what}")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def precheck(path: Path, *, write: bool) -> bool:
    """Refuse, from ``stat`` alone (the file is not opened), a path that cannot be a store:
    a directory, a FIFO, a device or socket, an empty file, a file this process may not
    read (or, with ``write``, not write). Returns whether the file exists."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot use {path}: {os_reason(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise StoreError(f"{path} is a directory, not a store file")
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a FIFO"
            if stat.S_ISFIFO(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "a device"
        )
        raise StoreError(f"{path} is {kind}, not a store file")
    if st.st_size == 0:
        raise not_a_store(path, "it is an empty file (0 bytes); delete it or name another --db")
    if not os.access(path, os.R_OK):
        raise StoreError(f"{path} cannot be read (permission denied)")
    if write and not os.access(path, os.W_OK):
        raise StoreError(f"{path} is read-only: the run cannot be saved in it")
    return True


def os_reason(exc: OSError) -> str:
    """An ``OSError`` in words, by its errno."""
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno == errno.EDQUOT:
        return "disk quota exceeded"
    if exc.errno == errno.EFBIG:
        return "file size limit reached (ulimit -f)"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a directory"
    return exc.strerror or type(exc).__name__


def check_directory(path: Path) -> None:
    """The store's directory exists (created if missing) and accepts new files: DuckDB
    writes its write-ahead log ``FILE.wal`` beside the store. Checked by creating and
    removing a file there, which is what DuckDB will do."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"cannot create {directory}: a file of that name exists") from None
    except OSError as exc:
        raise StoreError(f"cannot create {directory}: {os_reason(exc)}") from None
    probe = directory / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.probe"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot save runs in {path}: cannot create files in {directory} "
            f"({os_reason(exc)}); DuckDB needs to write {path.name}.wal there"
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        probe.unlink()


def read_head(path: Path, size: int = 128) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def foreign_format(head: bytes) -> str | None:
    """What the file is when it is not a DuckDB database (None when it is one)."""
    if head[8:12] == DUCKDB_MAGIC:
        return None
    for magic, name in FOREIGN_FORMATS:
        if head.startswith(magic):
            return f"it is {name}"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "it is not a DuckDB database (unknown format)"
    if b"\x00" in head:
        return "it is not a DuckDB database (unknown format)"
    return "it is a text file, not a DuckDB database"


def writer_version(head: bytes) -> tuple[int, ...] | None:
    """The DuckDB version that created the file, from its header (DuckDB 1.2 on)."""
    text = head[_VERSION_AT].split(b"\x00", 1)[0].decode("ascii", "replace")
    m = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)(?:[-.].*)?", text)
    return tuple(int(g) for g in m.groups()) if m else None


def _version_tuple(text: str) -> tuple[int, ...]:
    m = re.match(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(g) for g in m.groups()) if m else (0, 0, 0)


def truncation(path: Path) -> str | None:
    """Why the file ends inside a block its header counts (None if it does not): DuckDB's
    active header (the one of the two with the higher iteration) records the number of
    blocks and their size. DuckDB itself cuts free blocks off the end of a healthy file,
    so a file shorter than that count is damaged only when it ends mid-block (a copy or
    download cut short); one cut at a block boundary is left to DuckDB's own checks when
    the missing blocks are read. Opens the file: call it
    only while this process holds no DuckDB connection to it (closing any descriptor of a
    file drops the process's POSIX locks on it)."""
    import struct

    head = read_head(path, HEADER_BYTES)
    if len(head) < HEADER_BYTES or head[8:12] != DUCKDB_MAGIC:
        return None
    headers = [struct.unpack_from("<8Q", head, offset) for offset in (4096, 8192)]
    _, _, _, _, blocks, block_size, _, _ = max(headers, key=lambda h: h[1])
    if not 2**12 <= block_size <= 2**28 or block_size & (block_size - 1) or blocks > 2**40:
        return None
    expected = HEADER_BYTES + blocks * block_size
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size >= expected or (size - HEADER_BYTES) % block_size == 0:
        return None
    return f"truncated: {size:,} bytes of the {expected:,} its header records"


def lock_holder(path: Path, *, write: bool) -> int | None:
    """Whether another process holds the POSIX lock DuckDB takes on the file in a way
    that keeps us out (a writer keeps everyone out, a reader keeps writers out): the
    holder's pid (0 when unknown), or None when the file is free. Probed with ``lockf``
    on a descriptor of our own, by errno. Call it only after DuckDB failed to open the
    file: closing the descriptor drops this process's POSIX locks on the file, and a
    failed open means DuckDB holds none here."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return None
    try:
        fd = os.open(path, os.O_RDWR if write else os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.lockf(fd, (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return _lock_pid(path)
            return None
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _lock_pid(path: Path) -> int:
    """The pid /proc/locks names for a POSIX lock on the file's inode (0 if none)."""
    try:
        st = path.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return 0
    target = (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    for line in lines:
        parts = line.split()
        if "->" in parts or len(parts) < 6 or parts[1] != "POSIX":
            continue
        try:
            major, minor, inode = parts[5].split(":")
            where = (int(major, 16), int(minor, 16), int(inode))
            pid = int(parts[4])
        except ValueError:
            continue
        if where == target:
            return pid
    return 0


def classify_open_error(path: Path, exc: Exception) -> StoreError:
    """Why DuckDB could not open an existing, unlocked file: another format, a newer
    DuckDB, or damage (by the magic bytes and header, then the exception's type)."""
    import duckdb

    head = read_head(path)
    if not head:
        return damaged(path, first_line(exc))
    foreign = foreign_format(head)
    if foreign is not None:
        return not_a_store(path, foreign)
    made_by = writer_version(head)
    ours = _version_tuple(duckdb.__version__)
    if made_by is not None and made_by > ours:
        shown = ".".join(map(str, made_by))
        return StoreError(
            f"{path} was written by DuckDB {shown}, newer than the DuckDB {duckdb.__version__} "
            "this summitry uses; upgrade summitry and duckdb to read it"
        )
    if isinstance(exc, duckdb.ConnectionException):
        return StoreError(f"{path} is already open in this process with other settings")
    try:
        size = path.stat().st_size
    except OSError:
        size = HEADER_BYTES
    if size < HEADER_BYTES:
        return damaged(path, f"truncated to {size:,} bytes, shorter than DuckDB's headers")
    return damaged(path, truncation(path) or first_line(exc))


def classify_query_error(path: Path, exc: Exception, *, writing: bool) -> StoreError | None:
    """A DuckDB error raised while reading or writing an open store, by its type: input/
    output, corruption, internal and fatal errors mean a damaged file (or, when writing,
    a full disk or a file size limit, by the space left); a failed commit, a write that
    failed; catalog and binder errors mean
    tables that are not a summitry store's. None for anything else (a bug: re-raised).
    Call it once the connection is closed (it may look at the file's header)."""
    import duckdb

    if isinstance(exc, duckdb.OutOfMemoryException):
        return StoreError(f"{path}: DuckDB ran out of memory ({first_line(exc)})")
    if isinstance(exc, duckdb.CatalogException | duckdb.BinderException):
        return not_a_store(path, f"its tables differ from a summitry store's ({first_line(exc)})")
    damage = (
        duckdb.IOException,
        duckdb.InternalException,
        duckdb.FatalException,
        duckdb.SerializationException,
    )
    if isinstance(exc, duckdb.TransactionException) and writing:
        # a commit that could not be written (its log, its checkpoint)
        return StoreError(f"cannot write {path}: {no_room(path) or first_line(exc)}")
    if isinstance(exc, damage) or type(exc) is duckdb.Error:
        if writing:
            full = no_room(path)
            if full:
                return StoreError(f"cannot write {path}: {full}")
        return damaged(path, truncation(path) or first_line(exc))
    return None


def no_room(path: Path) -> str | None:
    """Why a write to ``path`` may have failed for lack of room: the file size limit
    (``ulimit -f``) reached by it or its log ``path.wal``, or under 1 MiB free on its
    device."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY:
        for candidate in (path, path.with_name(path.name + ".wal")):
            with contextlib.suppress(OSError):
                if candidate.stat().st_size + 2**18 >= soft:
                    return f"file size limit of {soft:,} bytes reached (ulimit -f)"
    try:
        fs = os.statvfs(path.parent)
    except OSError:
        return None
    if fs.f_bavail * fs.f_frsize < 2**20:
        return "no space left on the device"
    return None


def create_atomically(path: Path, initialise: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Create the store at ``path`` if it does not exist, so that no process ever sees it
    half made: the schema is written to a temporary file in the same directory, which is
    then hard-linked to ``path`` (``link`` fails if ``path`` exists: the first of several
    processes creating the same store wins and the others use its file). Where hard links
    are not supported, a rename under an exclusive lock of the directory does the same."""
    import duckdb

    check_directory(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.creating")
    try:
        try:
            con = duckdb.connect(str(tmp), config=CONFIG)
        except duckdb.Error as exc:
            raise StoreError(f"cannot create {path}: {first_line(exc)}") from None
        try:
            initialise(con)
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            full = no_room(tmp)
            raise StoreError(f"cannot create {path}: {full or first_line(exc)}") from None
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise StoreError(f"cannot create {path}: {os_reason(exc)}") from None
            with _directory_lock(path.parent):
                if not path.exists():
                    os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def lock_file(path: Path) -> Path:
    """The file beside the store that :func:`access_lock` locks: ``.NAME.lock``."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def access_lock(path: Path, *, exclusive: bool, timeout: float) -> Iterator[None]:
    """Hold an ``flock`` on the store's lock file for one connection's life: shared to
    read, exclusive to write. DuckDB's own lock turns a second writer away, but concurrent
    processes that open, fail and retry around a committing writer were seen to lose a
    committed run (about one round in ten of ten processes saving at once, with or without
    this release's other changes), so summitry's own processes never race for DuckDB's
    lock. Writers create the lock file; readers use it only where it exists (a read never
    creates a file), and a directory where it cannot be made (read only) falls back to
    DuckDB's lock alone. One :class:`StoreError` after ``timeout`` seconds of waiting."""
    import fcntl

    flags = os.O_RDWR | os.O_CREAT if exclusive else os.O_RDONLY
    try:
        fd = os.open(lock_file(path), flags, 0o644)
    except OSError:
        yield
        return
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + timeout
        pause = 0.02
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"{path} is in use by another summitry process for more than {timeout:g} s"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 1.5, 0.5)
        yield
    finally:
        os.close(fd)  # releases the flock (DuckDB's fcntl locks are on another file)
