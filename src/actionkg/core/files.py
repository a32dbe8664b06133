"""Writing outputs so a reader never finds half a file, and a failed write names the path."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

from .errors import InputError

T = TypeVar("T")


def _stage(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise InputError(path, "is a folder, expected a file to write")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except (FileExistsError, NotADirectoryError):
        raise InputError(path, "cannot write here: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise InputError(path, f"cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(path, f"cannot write: {exc.strerror}") from None
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    write_all_atomic({path: data})


def write_all_atomic(files: Mapping[Path, bytes]) -> None:
    """Every file is written in full beside its target first; only then are all put in place."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    for path, tmp in staged.items():
        os.replace(tmp, path)


CURRENT = ".output"  # the one symlink that names the live generation of an output set
_GENERATION = ".gen-"
_LOCK = ".lock"
_MARK = ".output-set"  # an empty file in each sub-folder a generation holds: a copy of the tree is known as one


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _point(link: Path, target: str) -> None:
    """Make `link` a symlink to `target` in one step (a fresh symlink renamed over the old name)."""
    tmp = link.with_name(f"{link.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _is_link_to(path: Path, target: str) -> bool:
    return path.is_symlink() and os.readlink(path) == target


def _adopt(folder: Path, names: Sequence[str]) -> None:
    """Bring a folder of plain files (an older layout, or a copy) under a generation without changing
    what any name shows: the files are hard-linked (or copied) into a generation first, so each name
    is swapped for a symlink to the very same content."""
    current = folder / CURRENT
    settled = all(_is_link_to(folder / n, f"{CURRENT}/{n}") or not (folder / n).exists() for n in names)
    if settled and (current.is_symlink() or not current.exists()):
        return  # already generations, or a fresh folder
    if current.exists() and not current.is_symlink():  # a copied tree holds a real folder here
        os.rename(current, Path(tempfile.mkdtemp(prefix=_GENERATION, dir=folder)) / "stale")
    generation = Path(tempfile.mkdtemp(prefix=_GENERATION, dir=folder))
    present = [n for n in names if (folder / n).is_file() and not _is_link_to(folder / n, f"{CURRENT}/{n}")]
    copied = [n for n in names if (folder / n).is_dir() and not (folder / n).is_symlink()]  # marked: see write_set
    for name in names:
        source = folder / name
        if _is_link_to(source, f"{CURRENT}/{name}"):
            source = current / name
        if source.is_file():
            try:
                os.link(source, generation / name)
            except OSError:
                shutil.copyfile(source, generation / name)
        elif source.is_dir() and name not in copied:
            shutil.copytree(source, generation / name)
    for name in copied:  # a copied tree's real sub-folder moves in whole; its name is a symlink again at once
        os.rename(folder / name, generation / name)
    _fsync_dir(generation)
    _point(current, generation.name)
    for name in [*present, *copied]:
        _point(folder / name, f"{CURRENT}/{name}")


def _clean(folder: Path, names: Sequence[str]) -> None:
    """Remove what killed or failed writes left: generations not live, half-made symlinks, and the
    `.graph.ttl.XXXX` staging files of the per-file writer this replaced."""
    live = os.readlink(folder / CURRENT) if (folder / CURRENT).is_symlink() else None
    staging = tuple(f".{n}." for n in (*names, CURRENT.lstrip("."))) + tuple(f"{n}.tmp-" for n in names)
    for entry in folder.iterdir():
        name = entry.name
        if entry.is_dir() and not entry.is_symlink():
            if name.startswith(_GENERATION) and name != live:
                shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(staging):
            entry.unlink(missing_ok=True)


def _top_names(files: Iterable[str]) -> list[str]:
    """The names the folder shows: each file's name, or its one sub-folder's name (`sources/a.txt`)."""
    tops: dict[str, None] = {}
    for name in files:
        parts = name.split("/")
        if len(parts) > 2 or any(p in ("", ".", "..") for p in parts) or "\\" in name:
            raise ValueError(f"output name {name!r}: a file name, or one sub-folder and a file name")
        tops[parts[0]] = None
    return list(tops)


def write_set(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write a set of files that readers must never see mixed (a graph and its other serialisations).

    Each run writes the whole set into a fresh generation folder `.gen-XXXX/` and fsyncs it; the one
    symlink `.output` is then switched to it by a single rename, and each name (`graph.ttl`, …) is a
    fixed symlink `graph.ttl -> .output/graph.ttl`. So opening `folder/graph.ttl` always gives a
    regular file, and at every instant all names show the same generation: a kill at any point leaves
    either the old set or the new one. A reader that opens several files over a long time and needs
    them from one generation resolves `folder/.output` once and reads inside it. Runs into one folder
    take a lock; each removes generations that are no longer live and staging left by killed runs.
    Everything else in the folder (stats, caches beside `graph.ttl`) is left alone.
    A name may hold one sub-folder (`sources/page.txt`): the sub-folder lives in the generation and its
    name is one fixed symlink `sources -> .output/sources`, so it switches in the same step as the files.
    Each such sub-folder carries an empty `.output-set` mark: a copied tree's real `sources/` (it has the
    mark) is taken over, any other folder of that name is refused, never replaced.
    """
    with output_set(folder, list(files)) as staged:
        for name, data in files.items():
            staged.put(name, [data])


class Staged:
    """An output set being written (`output_set`): each file written once, whole, then fsynced."""

    def __init__(self, folder: Path, generation: Path, names: Sequence[str]) -> None:
        self._folder, self._generation, self._names = folder, generation, names
        self.written: set[str] = set()

    def put(self, name: str, pieces: Iterable[bytes | memoryview]) -> None:
        """Write `name` from its pieces, in order."""
        self.put_with(name, lambda fh: fh.writelines(pieces))

    def put_with(self, name: str, write: Callable[[BinaryIO], T]) -> T:
        """Write `name` by `write(file)`, for a writer that streams into a file (pyoxigraph's serialiser); what
        `write` returns."""
        if name not in self._names or name in self.written:
            raise ValueError(f"output {name!r}: not in the set, or written twice")
        path = self._generation / name
        try:
            if "/" in name and not path.parent.exists():
                path.parent.mkdir(mode=0o755)
                path.parent.joinpath(_MARK).touch(0o644)
            with open(path, "wb") as fh:
                made = write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, 0o644)
        except OSError as exc:
            raise InputError(self._folder, f"cannot write the outputs: {exc.strerror or exc}") from None
        self.written.add(name)
        return made

    def read(self, name: str, start: int = 0, size: int = 1 << 20) -> Iterator[bytes]:
        """A written file's bytes from `start`, a MiB at a time (one file made from another, never both held)."""
        if name not in self.written:
            raise ValueError(f"output {name!r}: not written yet")
        try:
            with open(self._generation / name, "rb") as fh:
                fh.seek(start)
                while chunk := fh.read(size):
                    yield chunk
        except OSError as exc:
            raise InputError(self._folder, f"cannot read back the outputs: {exc.strerror or exc}") from None


@contextlib.contextmanager
def output_set(folder: Path, names: Sequence[str]) -> Iterator[Staged]:
    """`write_set`, one file at a time: each file is written (and can leave memory) as soon as it is made.

    `names` are every file the set will hold (checked before anything is written); the set is switched in
    when the block ends, and only if it ends without an error and every name was written. On an error the
    new generation is removed and the folder shows what it showed before. The folder's lock is held for the
    whole block: another build into the same folder waits until this set is switched in."""
    import fcntl

    tops = _top_names(names)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in tops:
            if (folder / name).is_dir() and not (folder / name).is_symlink():
                if not any(n.startswith(name + "/") for n in names):
                    raise InputError(folder / name, "is a folder, expected a file to write")
                if not (folder / name / _MARK).is_file():  # a copied output set's carries the mark; this is not one
                    raise InputError(folder / name, "is a folder not written by a build: move it, or write elsewhere")
        lock = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except (FileExistsError, NotADirectoryError):
        raise InputError(folder, "cannot write here: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise InputError(folder, f"cannot write: {exc.strerror}") from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _adopt(folder, tops)
            _clean(folder, tops)
            made = Path(tempfile.mkdtemp(prefix=_GENERATION, dir=folder))
        except OSError as exc:
            raise InputError(folder, f"cannot write the outputs: {exc.strerror or exc}") from None
        staged = Staged(folder, made, names)
        live = False
        try:
            yield staged
            if staged.written != set(names):
                raise ValueError(f"outputs never written: {', '.join(sorted(set(names) - staged.written))}")
            try:
                os.chmod(made, 0o755)
                for sub in {made / n.split("/")[0] for n in names if "/" in n}:
                    _fsync_dir(sub)
                _fsync_dir(made)
                _point(folder / CURRENT, made.name)
                live = True
                for name in tops:
                    if not _is_link_to(folder / name, f"{CURRENT}/{name}"):
                        _point(folder / name, f"{CURRENT}/{name}")
                _fsync_dir(folder)
                _clean(folder, tops)
            except OSError as exc:
                raise InputError(folder, f"cannot write the outputs: {exc.strerror or exc}") from None
        finally:
            # not switched in (an error here or in the block, even one between the switch and `live = True`)
            if not live and not _is_link_to(folder / CURRENT, made.name):
                shutil.rmtree(made, ignore_errors=True)
    finally:
        os.close(lock)  # closing releases the lock
