"""Staging: files are written on several threads, all of them before `stage` returns, and a
file that cannot be written stops the build with the output folder as it was."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

from digest.output import Manifest, commit, stage
from digest.render import OutputFile


def _files(count: int) -> list[OutputFile]:
    return [OutputFile(f"{2020 + n % 5}/{n % 12 + 1:02d}/article-{n}/index.html", f"k{n}",
                       f"<p>synthetic page {n}</p>".encode()) for n in range(count)]


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_every_file_is_written_before_stage_returns(tmp_path: Path, threads: int) -> None:
    output = tmp_path / "output"
    manifest = Manifest(None, output)
    files = _files(600)
    staged = stage(iter(files), output, manifest, threads)
    for f in files:  # the search step reads staged pages right after
        assert (staged.folder / f.path).read_bytes() == f.content
    commit(staged, manifest)
    assert sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html")) == sorted(f.path for f in files)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_file_that_cannot_be_written_stops_the_build(tmp_path: Path, threads: int) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "kept.html").write_text("the last good site")
    files = _files(200)
    # A file where another file needs a folder: one of the two writes fails, on whichever thread
    files[100:100] = [OutputFile("2021/02/article-1/index.html/x.html", "x", b"x")]
    with pytest.raises(OSError):
        stage(iter(files), output, Manifest(None, output), threads)
    assert [p.name for p in tmp_path.iterdir()] == ["output"]  # no staging folder left
    assert [p.name for p in output.iterdir()] == ["kept.html"]


@pytest.mark.parametrize("threads", [1, 2])
def test_an_error_while_rendering_removes_the_staging_folder_after_the_writers_stop(tmp_path: Path,
                                                                                     threads: int) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "kept.html").write_text("the last good site")

    def failing():
        yield from _files(3000)  # queued faster than the threads write them
        raise KeyError("a template error")

    running = threading.active_count()
    with pytest.raises(KeyError):
        stage(failing(), output, Manifest(None, output), threads)
    assert threading.active_count() == running  # no writer left running
    assert [p.name for p in tmp_path.iterdir()] == ["output"]
    assert [p.name for p in output.iterdir()] == ["kept.html"]


def test_make_folder_is_makedirs_in_one_call_when_it_can_be(tmp_path: Path) -> None:
    from digest.output import make_folder

    make_folder(str(tmp_path / "a/b/c"))        # folders above it missing: made too
    make_folder(str(tmp_path / "a/b/c"))        # there already: fine
    make_folder(str(tmp_path / "a/b/d"))
    assert sorted(p.name for p in (tmp_path / "a/b").iterdir()) == ["c", "d"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):        # as os.makedirs(exist_ok=True): a file is in the way
        make_folder(str(tmp_path / "file"))
    (tmp_path / "staging").mkdir()
    make_folder(str(tmp_path / "staging/x/y"), within=str(tmp_path / "staging"))   # made inside it
    with pytest.raises(FileNotFoundError):      # a staging folder removed is not made again
        make_folder(str(tmp_path / "gone/x/y"), within=str(tmp_path / "gone"))
    assert (tmp_path / "staging/x/y").is_dir() and not (tmp_path / "gone").exists()


def test_a_second_ctrl_c_while_writers_are_waited_for_still_removes_the_staging_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "output"
    output.mkdir()
    closed = []

    def interrupted() -> Iterator[OutputFile]:
        try:
            for n in range(3000):
                yield OutputFile(f"{n % 7}/a-{n}/index.html", "k", b"<p>x</p>")
            raise KeyboardInterrupt  # the first Ctrl-C
        finally:
            closed.append(True)

    join, calls = threading.Thread.join, [0]

    def second(self: threading.Thread, *args: object, **kwargs: object) -> None:
        calls[0] += 1
        if calls[0] == 1:
            raise KeyboardInterrupt  # the second, while the writer threads are waited for
        join(self, *args, **kwargs)

    monkeypatch.setattr(threading.Thread, "join", second)
    with pytest.raises(KeyboardInterrupt):
        stage(interrupted(), output, Manifest(None, output), 2)
    assert [p.name for p in tmp_path.iterdir()] == ["output"] and closed == [True]
