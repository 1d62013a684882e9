#!/usr/bin/env python3
"""Benchmark build.py on synthetic corpora, optionally against Hugo and Pelican; prints a table.

    python bench/run.py [--sizes 1000,10000] [--repeat 3] [--peers] [--bilingual] [--serve-latency]
                        [--search-bytes] [--jobs N] [--work DIR] [--keep]

For each size: generate the corpus into bench/work/N/ (or DIR/N/), then, `--repeat` times, build it cold
(cache and output deleted), warm (nothing changed), after a one-article text edit (a sentence
appended) and after that article's summary is edited (front matter: lists and feeds change), recording
wall time and the peak memory of the build. With --peers the same articles are built cold by Hugo
and Pelican in the same rounds. With --bilingual the same articles plus a Spanish version of
each (bench/generate.py --translations es) are built in the same rounds, and the table gives
bilingual / monolingual ratios. Progress goes to stderr, the markdown table to stdout.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from depth import crawl
from generate import edit_article, edit_summary, make_articles, make_translations, write_site
from photos import add_photos
from peers import (HUGO_PAGEFIND, Peer, describe, hugo_pagefind_peer, hugo_peer, pelican_peer, write_hugo_site,
                   write_pelican_site)
from search_bytes import QUERIES

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
WORK_MARKER = ".bench-work"  # in every work folder; only such a folder is ever deleted
BUILD_TIMEOUT = 1800.0     # seconds: a build slower than this is stopped and reported as failed
SERVE_START_TIMEOUT = 60.0
SERVE_EDIT_TIMEOUT = 60.0
POLL_INTERVAL = 0.01
SUMMARY = re.compile(r"wrote (\d+), kept (\d+), removed (\d+)")
sys.path.insert(0, str(REPO / "tests"))
from chromium import CHROMIUM, launch_chromium  # noqa: E402  (the tests' launcher)
MAX_CLICKS = 4  # every page at most this many clicks from the front page (bench/depth.py)


@dataclass(frozen=True, slots=True)
class Run:
    """One finished process: wall time, peak memory of its largest process, exit code, output."""

    seconds: float
    max_rss_mb: float
    returncode: int
    output: str
    cpu: tuple[float, float] = (0.0, 0.0)   # user and system seconds of the process and its children

    def failure(self) -> str:
        """A one-line reason for the table; empty when the run succeeded."""
        if self.returncode == 0:
            return ""
        lines = [line.strip() for line in self.output.strip().splitlines() if line.strip()]
        # The engine's first 'error:' line names the file; a traceback's last line names the bug.
        reason = next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "no output")
        return f"failed (exit {self.returncode}: {reason[:160]})"


@dataclass(slots=True)
class Samples:
    """What one tool gave on one corpus over the repeats; `problem` says why it gave nothing."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    memory_mb: list[float] = field(default_factory=list)
    cpu: list[tuple[float, float]] = field(default_factory=list)   # cold builds: (user, system) seconds
    rewritten: dict[str, list[int]] = field(default_factory=dict)
    files: int | None = None
    depth: str = ""          # after the first cold build: 'max clicks from the front page / pages deeper than 4'
    problem: str = ""

    def add(self, kind: str, run: Run) -> None:
        self.seconds.setdefault(kind, []).append(run.seconds)
        if kind == "cold":
            self.memory_mb.append(run.max_rss_mb)
            self.cpu.append(run.cpu)
        if match := SUMMARY.search(run.output):
            self.rewritten.setdefault(kind, []).append(int(match.group(1)))


@dataclass(slots=True)
class SizeResult:
    """Every measurement for one corpus size."""

    articles: int
    ours: Samples
    peers: dict[str, Samples]
    versions: dict[str, str] = field(default_factory=dict)
    serve_latency: float | None = None
    serve_rebuild: float | None = None      # the whole site rebuilt after that save, from the server's log
    serve_summary_rebuild: float | None = None   # ... after a save that changes the summary lists show
    serve_measured: bool = False
    search_bytes: str = ""            # 'first / repeat' query in KB, or why it was not measured
    bilingual: Samples | None = None        # the same articles, each with a Spanish version
    full: Samples | None = None             # the same articles with search and share cards on


def log(message: str, started: float) -> None:
    """Progress on stderr, with the time since the benchmark started."""
    print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)


def run_measured(command: Sequence[str], cwd: Path, timeout: float = BUILD_TIMEOUT) -> Run:
    """Run a command, timing it with perf_counter and reading its own resource usage with wait4.

    getrusage(RUSAGE_CHILDREN) only ever grows over the life of this process, so after one
    large build every later reading would repeat its peak; wait4 gives each build's own:
    the largest resident set among the process and the children it waited for."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        timer = threading.Timer(timeout, _stop_group, (process.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if process.returncode < 0 and timer.finished.is_set():
        text += f"\nstopped after {timeout:.0f} s"
    return Run(seconds, rss_mb, process.returncode, text, (usage.ru_utime, usage.ru_stime))


def _stop_group(pid: int) -> None:
    """Kill a build that ran past its time limit, with the workers it started (its own group)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def count_files(folder: Path) -> int:
    """Files under a folder, at any depth."""
    return sum(len(names) for _, _, names in os.walk(folder))


def remove(*paths: Path) -> None:
    """Delete folders a build made, if they exist."""
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


LEAN = {"search": "false", "share_cards": "site"}   # the peers make no search index and draw no cards
FULL = {"search": "true", "share_cards": "articles"}  # the product's defaults


def set_features(site: Path, features: dict[str, str]) -> None:
    """Set top-level keys of a corpus's site.yaml (replacing the lines that set them)."""
    path = site / "site.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in features.items():
        text, found = re.subn(rf"^{key}:.*$", f"{key}: {value}", text, flags=re.MULTILINE)
        if not found:
            text = text.rstrip("\n") + f"\n{key}: {value}\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def ours_command(site: Path, jobs: int | None) -> list[str]:
    """The engine's build command for a site folder."""
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site)]
    return command + (["--jobs", str(jobs)] if jobs else [])


def measure_ours(site: Path, edited: Path, round_number: int, jobs: int | None, samples: Samples,
                 say: Callable[[str], None]) -> None:
    """One round of our engine: cold, warm, then one edited article; stops at the first failure."""
    command = ours_command(site, jobs)
    steps: tuple[tuple[str, Callable[[], object]], ...] = (
        ("cold", lambda: remove(site / "output", site / ".cache")),
        ("warm", lambda: None),
        ("edit", lambda: edit_article(edited, round_number)),
        ("summary", lambda: edit_summary(edited, round_number)),  # front matter: no shortcut (digest/quick.py)
    )
    for kind, prepare in steps:
        prepare()
        run = run_measured(command, REPO)
        if run.returncode != 0:
            samples.problem = run.failure()
            say(f"ours {kind} build FAILED; its output:\n{run.output}")
            return
        samples.add(kind, run)
        summary = run.output.strip().splitlines()[-1] if run.output.strip() else ""
        say(f"ours {kind}: {run.seconds:.2f} s, {run.max_rss_mb:.0f} MB  ({summary})")
        if kind == "cold":
            samples.files = count_files(site / "output")
            if not samples.depth:  # the same every round: crawled once, a few seconds at 10,000 articles
                found = crawl(site / "output")
                samples.depth = f"{found.max_depth} / {len(found.deeper_than(MAX_CLICKS)) + len(found.unreachable)}"


def measure_peer(peer: Peer, samples: Samples, say: Callable[[str], None]) -> None:
    """One cold build of a peer, its output and caches deleted first."""
    remove(*peer.clean)
    run = run_measured(peer.command, peer.output.parent)
    if run.returncode != 0:
        samples.problem = run.failure()
        say(f"{peer.name} cold build FAILED; its output:\n{run.output[-4000:]}")
        return
    samples.add("cold", run)
    samples.files = count_files(peer.output)
    say(f"{peer.name} cold: {run.seconds:.2f} s, {run.max_rss_mb:.0f} MB, {samples.files} files")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str) -> str | None:
    """The body of a page, or None when the server does not answer it (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return "" if exc.code < 500 else None
    except (urllib.error.URLError, OSError):
        return None


def _article_url(site_dir: Path, port: int, source: str) -> str:
    """Where `serve` shows an article, from the engine's own config and content helpers."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from digest.config import load_config
    from digest.content import read_article

    config = load_config(site_dir)
    result = read_article(source, (site_dir / source).read_bytes(), config, "")
    if result.article is None:
        raise ValueError(f"{source} does not read as an article: {result.problems}")
    return f"http://127.0.0.1:{port}{config.base_path}{result.article.path}"


REBUILT = re.compile(r"changed: (?:fixed; )?rebuilt in ([0-9.]+) s")


def measure_serve_latency(site_dir: Path, *, source: str | None = None, edits: int = 5, settle: float = 2.0,
                          jobs: int | None = None) -> tuple[float | None, float | None, float | None]:
    """Median seconds from saving an edited article to `serve` answering with its new text;
    median seconds of the whole rebuild that follows (lists, feeds and related articles), as the
    server's log states them ('... changed: rebuilt in 0.240 s'); and the same for saves that
    change its front matter summary, which lists and feeds show too.

    None when `build.py serve` does not answer within a minute or no edit ever shows."""
    if source is None:
        source = min(p.relative_to(site_dir).as_posix() for p in (site_dir / "content").rglob("*.md"))
    port = _free_port()
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site_dir), "serve", "--port", str(port)]
    command += ["--jobs", str(jobs)] if jobs else []
    url = _article_url(site_dir, port, source)
    with tempfile.TemporaryFile() as server_log:
        server = subprocess.Popen(command, cwd=REPO, stdin=subprocess.DEVNULL, stdout=server_log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + SERVE_START_TIMEOUT
            while _fetch(url) is None:
                if server.poll() is not None or time.monotonic() > deadline:
                    return None, None
                time.sleep(0.1)
            time.sleep(settle)  # let the watcher settle after the first build
            latencies = []
            for number in range(2 * edits):
                if number < edits:
                    sentence = edit_article(site_dir / source, 1000 + number)
                else:  # shown in the page's head, then checked in the log only
                    sentence = edit_summary(site_dir / source, 1000 + number)
                saved = time.perf_counter()
                deadline = time.monotonic() + SERVE_EDIT_TIMEOUT
                while time.monotonic() < deadline and server.poll() is None:
                    if sentence in (_fetch(url) or ""):
                        if number < edits:
                            latencies.append(time.perf_counter() - saved)
                        break
                    time.sleep(POLL_INTERVAL)
                time.sleep(settle)  # the full rebuild that follows the quick update
        finally:
            _stop_server(server)
        server_log.seek(0)
        rebuilds = [float(s) for s in REBUILT.findall(server_log.read().decode("utf-8", "replace"))]
        if len(rebuilds) != 2 * edits:  # a save missed or split in two: which rebuild was which is unknown
            rebuilds = []
        return (statistics.median(latencies) if latencies else None,
                statistics.median(rebuilds[:edits]) if rebuilds else None,
                statistics.median(rebuilds[edits:]) if rebuilds else None)


def _stop_server(server: subprocess.Popen) -> None:
    """Ctrl-C, as a person would stop it, so it removes its preview folder; then harder."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def bench_size(count: int, args: argparse.Namespace, say: Callable[[str], None]) -> SizeResult:
    """Generate one corpus and measure everything asked for on it."""
    folder = args.work / str(count)
    remove(folder)
    say(f"N={count}: generating")
    articles = make_articles(count, args.seed)
    site = folder / "digest"
    write_site(articles, site)
    if args.photos:
        say(f"N={count}: adding a lead photo to one article in {args.photos}")
        add_photos(site, args.photos)
    set_features(site, LEAN)
    edited = site / articles[len(articles) // 2].source
    result = SizeResult(count, Samples(), {})
    full = folder / "full"
    if args.full:
        say(f"N={count}: copying the corpus with search and share cards on (the product's defaults)")
        shutil.copytree(site, full)
        set_features(full, FULL)
        result.full = Samples()
    bilingual = folder / "bilingual"
    if args.bilingual:
        say(f"N={count}: generating the bilingual corpus ({count} articles + {count} in Spanish)")
        write_site(articles, bilingual, translations=make_translations(articles, "es", args.seed))
        set_features(bilingual, LEAN)
        result.bilingual = Samples()
    peers: list[Peer] = []
    if args.peers:
        timezone = _site_timezone(site)
        write_hugo_site(articles, folder / "hugo", timezone)
        write_pelican_site(articles, folder / "pelican", timezone)
        found_peers = [("Hugo", hugo_peer(folder / "hugo")), ("Pelican", pelican_peer(folder / "pelican"))]
        if args.full:
            found_peers.append((HUGO_PAGEFIND, hugo_pagefind_peer(folder / "hugo")))
        for name, found in found_peers:
            result.versions[name] = describe(name, found)
            if isinstance(found, Peer):
                peers.append(found)
                result.peers[name] = Samples()
            else:
                result.peers[name] = Samples(problem=found)
    del articles
    for round_index in range(args.repeat):
        say(f"N={count}: round {round_index + 1} of {args.repeat}")
        corpora = [(site, edited, result.ours, "")]
        if result.full is not None:
            corpora.append((full, full / edited.relative_to(site), result.full, "[full] "))
        if result.bilingual is not None:
            # The same edited original; the order alternates so neither corpus always goes first.
            corpora.append((bilingual, bilingual / edited.relative_to(site), result.bilingual, "[bilingual] "))
            corpora = corpora[::-1] if round_index % 2 else corpora
        for corpus, changed, samples, name in corpora:
            if not samples.problem:
                measure_ours(corpus, changed, round_index + 1, args.jobs, samples,
                             lambda message, name=name: say(name + message))
        for peer in peers:
            if not result.peers[peer.name].problem:
                measure_peer(peer, result.peers[peer.name], say)
    if args.serve_latency and not result.ours.problem:
        result.serve_measured = True
        warm = result.ours.seconds.get("warm") or [1.0]
        result.serve_latency, result.serve_rebuild, result.serve_summary_rebuild = measure_serve_latency(
            site, settle=max(2.0, 2 * max(warm)), jobs=args.jobs)
        say(f"N={count}: serve latency {result.serve_latency}, whole rebuild {result.serve_rebuild}, "
            f"after a summary save {result.serve_summary_rebuild}")
    if args.search_bytes and not result.ours.problem:
        set_features(site, {"search": "true"})
        result.search_bytes = measure_search_bytes(site)
        say(f"N={count}: search bytes {result.search_bytes}")
    return result


def measure_search_bytes(site: Path) -> str:
    """A first and a repeat query of each kind on the built corpus in Chromium, as 'first / repeat' KB."""
    from search_bytes import PagesServer, describe_kinds, measure_kinds

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "not measured: playwright is not installed"
    if not CHROMIUM.exists():
        return f"not measured: {CHROMIUM} is missing"
    server = PagesServer(site / "output")
    try:
        rebuilt = run_measured(ours_command(site, None) + ["--base-url", server.base_url], REPO)
        if rebuilt.returncode != 0:
            return rebuilt.failure()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            kinds = measure_kinds(browser, server.base_url + "search/")
            browser.close()
    finally:
        server.close()
    return describe_kinds(kinds)


def _site_timezone(site: Path) -> str:
    match = re.search(r"^timezone:\s*(\S+)", (site / "site.yaml").read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else "UTC"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _seconds(values: list[float]) -> str:
    if not values:
        return "—"
    shown = f"{statistics.median(values):.2f}"
    return shown + (f" ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else "")


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if ours is not None and theirs else "—"


def _cpu(samples: Samples) -> str:
    """Median user and system CPU seconds of the cold builds (the build and its workers)."""
    if not samples.cpu:
        return "—"
    return (f"{statistics.median(u for u, _ in samples.cpu):.1f} / "
            f"{statistics.median(s for _, s in samples.cpu):.1f}")


def _paired_values(mono: list[float], bi: list[float]) -> str:
    """bi / mono: the ratio of the medians, then the median and range of the ratios of the
    builds made in the same round, which a noisy machine slows alike."""
    if not mono or not bi:
        return "—"
    shown = f"{statistics.median(bi) / statistics.median(mono):.2f}"
    rounds = [b / m for m, b in zip(mono, bi)]
    if len(rounds) > 1:
        shown += f" (same round: median {statistics.median(rounds):.2f}, {min(rounds):.2f}–{max(rounds):.2f})"
    return shown


def _paired(ours: Samples, bilingual: Samples, kind: str) -> str:
    return _paired_values(ours.seconds.get(kind, []), bilingual.seconds.get(kind, []))


def _bilingual_rows(ours: Samples, bilingual: Samples) -> list[tuple[str, str]]:
    """The bilingual corpus's own rows, then its ratios to the monolingual one."""
    if bilingual.problem:
        return [("bilingual (en + es) builds", bilingual.problem.replace("|", "/"))]
    rows = [(f"bilingual (en + es): {label}", _seconds(bilingual.seconds.get(kind, [])))
            for kind, label in (("cold", "cold build (s)"), ("warm", "warm build, nothing changed (s)"),
                                ("edit", "one article edited, then build (s)"))]
    memory = _median(bilingual.memory_mb)
    rows.append(("bilingual (en + es): cold build peak memory, largest process (MB)",
                 f"{memory:.0f}" if memory else "—"))
    rows.append(("bilingual (en + es): cold build CPU, user / system (s)", _cpu(bilingual)))
    rows.append(("bilingual (en + es): files in output", str(bilingual.files) if bilingual.files is not None else "—"))
    rows.append((f"bilingual (en + es): max clicks from the front page / pages deeper than {MAX_CLICKS} or unlinked",
                 bilingual.depth or "—"))
    rows.append(("bilingual (en + es): files rewritten: warm / edit",
                 " / ".join(str(int(statistics.median(bilingual.rewritten[k]))) if bilingual.rewritten.get(k) else "—"
                            for k in ("warm", "edit"))))
    if ours.problem:
        return rows
    for kind, label in (("cold", "cold"), ("warm", "warm"), ("edit", "edit")):
        rows.append((f"bilingual / monolingual: {label} build time", _paired(ours, bilingual, kind)))
    rows.append(("bilingual / monolingual: cold build user CPU",
                 _paired_values([u for u, _ in ours.cpu], [u for u, _ in bilingual.cpu])))
    if ours.files and bilingual.files:
        rows.append(("bilingual / monolingual: files in output", f"{bilingual.files / ours.files:.2f}"))
    return rows


def _full_rows(result: SizeResult, peer_count: int) -> list[str]:
    """The corpus built with the product's defaults: its rows, the Hugo column holding Hugo
    followed by Pagefind (the search Hugo sites use; Hugo draws no share cards here)."""
    full = result.full
    assert full is not None
    name = f"{result.articles:,}"
    if full.problem:
        return [f"| {name} | with search and share cards | {full.problem.replace('|', '/')} |" + " — |" * 2 * peer_count]
    pagefind = result.peers.get(HUGO_PAGEFIND, Samples(problem="not run"))
    theirs = _median(pagefind.seconds.get("cold", []))
    lines = []
    for kind, label in (("cold", "cold build (s)"), ("warm", "warm build, nothing changed (s)"),
                        ("edit", "one article edited, then build (s)")):
        values = full.seconds.get(kind, [])
        cells = [name, f"with search and share cards: {label}", _seconds(values)]
        if peer_count:
            cells += [f"{HUGO_PAGEFIND}: " + _or_problem(pagefind.problem, _seconds(pagefind.seconds.get("cold", [])), 0),
                      "—" if pagefind.problem else _ratio(_median(values), theirs)] + ["—", "—"] * (peer_count - 1)
        lines.append("| " + " | ".join(cells) + " |")
    memory = _median(full.memory_mb)
    extra = [("cold build peak memory, largest process (MB)", f"{memory:.0f}" if memory else "—",
              f"{_median(pagefind.memory_mb):.0f}" if pagefind.memory_mb else "—"),
             ("cold build CPU, user / system (s)", _cpu(full), _cpu(pagefind)),
             ("files in output", str(full.files) if full.files is not None else "—", "—")]
    for label, shown, peer_shown in extra:
        cells = [name, f"with search and share cards: {label}", shown]
        if peer_count:
            cells += [f"{HUGO_PAGEFIND}: {peer_shown}", "—"] + ["—", "—"] * (peer_count - 1)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _or_problem(problem: str, cell: str, row: int) -> str:
    if not problem:
        return cell
    return problem.replace("|", "/") if row == 0 else "—"


def format_table(results: list[SizeResult], args: argparse.Namespace, load: tuple[float, float]) -> str:
    """The markdown report: machine, then one block of rows per corpus size."""
    peer_names = ["Hugo", "Pelican"] if args.peers else []
    lines = [
        f"Machine: {os.cpu_count()} cores (os.cpu_count()), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; 1-minute load average {load[0]:.1f} at start, "
        f"{load[1]:.1f} at end.",
        f"Median of {args.repeat} run{'s' if args.repeat != 1 else ''} (min–max in brackets); "
        f"ours = `build.py{f' --jobs {args.jobs}' if args.jobs else ''}`.",
    ]
    if args.peers:
        versions = ", ".join(dict.fromkeys(v for r in results for v in r.versions.values()))
        lines.append(f"Peers: {versions}. Ratios are ours / theirs (below 1: we are faster or lighter); "
                     "every row is compared with the peer's cold build.")
    lines.append("")
    header = ["articles", "measure", "ours"]
    for name in peer_names:
        header += [f"{name} cold", f"ours/{name}"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---:", "---", "---:"] + ["---:", "---:"] * len(peer_names)) + "|")
    for result in results:
        ours = result.ours
        peers = [result.peers.get(name, Samples(problem="not run")) for name in peer_names]
        cold = [_median(p.seconds.get("cold", [])) for p in peers]
        rows: list[tuple[str, str, float | None, list[str], list[float | None]]] = []
        for kind, label in (("cold", "cold build (s)"), ("warm", "warm build, nothing changed (s)"),
                            ("edit", "one article edited, then build (s)"),
                            ("summary", "one article's summary edited, then build (s)")):
            values = ours.seconds.get(kind, [])
            rows.append((label, _seconds(values), _median(values),
                         [_seconds(p.seconds.get("cold", [])) for p in peers], cold))
        memory = _median(ours.memory_mb)
        rows.append(("cold build peak memory, largest process (MB)", f"{memory:.0f}" if memory else "—", memory,
                     [f"{_median(p.memory_mb):.0f}" if p.memory_mb else "—" for p in peers],
                     [_median(p.memory_mb) for p in peers]))
        rows.append(("cold build CPU, user / system (s)", _cpu(ours), None, [_cpu(p) for p in peers],
                     [None] * len(peers)))
        rows.append(("files in output", str(ours.files) if ours.files is not None else "—", None,
                     [str(p.files) if p.files is not None else "—" for p in peers], [None] * len(peers)))
        rows.append((f"max clicks from the front page / pages deeper than {MAX_CLICKS} or unlinked",
                     ours.depth or "—", None, ["—"] * len(peers), [None] * len(peers)))
        rewritten = " / ".join(str(int(statistics.median(ours.rewritten[k]))) if ours.rewritten.get(k) else "—"
                               for k in ("warm", "edit"))
        rows.append(("files rewritten: warm / edit", rewritten, None, ["—"] * len(peers), [None] * len(peers)))
        if result.search_bytes:
            queries = "; ".join(" / ".join(pair) for pair in QUERIES.values())
            rows.append((f"search: first / repeat query (KB; {queries})", result.search_bytes,
                         None, ["—"] * len(peers), [None] * len(peers)))
        if result.serve_measured:
            shown = f"{result.serve_latency:.3f}" if result.serve_latency is not None else "no answer"
            rows.append(("serve: save to updated page (s)", shown, None, ["—"] * len(peers), [None] * len(peers)))
            shown = f"{result.serve_rebuild:.3f}" if result.serve_rebuild is not None else "not logged"
            rows.append(("serve: whole site rebuilt after a save (s)", shown, None, ["—"] * len(peers),
                         [None] * len(peers)))
            shown = f"{result.serve_summary_rebuild:.3f}" if result.serve_summary_rebuild is not None else "not logged"
            rows.append(("serve: whole site rebuilt after a summary save (s)", shown, None, ["—"] * len(peers),
                         [None] * len(peers)))
        for index, (label, shown, ours_value, peer_cells, peer_values) in enumerate(rows):
            # A failure is said once, in the first row; the rows below it show a dash.
            cells = [f"{result.articles:,}", label, _or_problem(ours.problem, shown, index)]
            for peer, cell, value in zip(peers, peer_cells, peer_values):
                cells += [_or_problem(peer.problem, cell, index),
                          "—" if peer.problem or ours.problem else _ratio(ours_value, value)]
            lines.append("| " + " | ".join(cells) + " |")
        if result.full is not None:
            lines += _full_rows(result, len(peers))
        if result.bilingual is not None:
            for label, shown in _bilingual_rows(ours, result.bilingual):
                lines.append("| " + " | ".join([f"{result.articles:,}", label, shown] + ["—", "—"] * len(peers)) + " |")
    return "\n".join(lines)


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_readme(readme: Path, table: str, command: str) -> None:
    """Put the table, the command that made it and the date between the README's markers."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme}: no {README_START} ... {README_END} markers to write the table between")
    made = f"Made by `{command}` on {time.strftime('%Y-%m-%d')}.\n\n"
    text = text[:start + len(README_START)] + "\n" + made + table + "\n" + text[end:]
    readme.write_text(text, encoding="utf-8", newline="\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Benchmark build.py on synthetic articles.")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size; medians are reported (default 3)")
    parser.add_argument("--peers", action="store_true", help="also build cold with Hugo and Pelican")
    parser.add_argument("--bilingual", action="store_true",
                        help="also build the same articles each with a Spanish version, in the same rounds, "
                             "and give bilingual / monolingual ratios")
    parser.add_argument("--serve-latency", action="store_true",
                        help="also time save-to-page with `build.py serve`")
    parser.add_argument("--search-bytes", action="store_true",
                        help="also measure a first and a repeat search query in Chromium (KB transferred)")
    parser.add_argument("--full", action="store_true",
                        help="also build, in the same rounds, the corpus with the product's defaults (search "
                             "index and share cards, which the peers do not make); with --peers, Hugo followed "
                             "by Pagefind too")
    parser.add_argument("--jobs", type=int, default=None, help="passed to build.py --jobs")
    parser.add_argument("--photos", type=int, default=0, metavar="EVERY",
                        help="give one article in EVERY a synthetic 2000×1333 lead photo (e.g. 10)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="an empty or new folder where corpora are generated and built, e.g. on a RAM disk "
                             "to leave the disk out (default bench/work/; deleted afterwards unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument("--readme", action="store_true",
                        help="also write the table into README.md, between its bench:start and bench:end markers")
    args = parser.parse_args(argv)
    try:
        args.size_list = [int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--sizes: '{args.sizes}' should be numbers separated by commas, like 1000,10000")
    if not args.size_list or min(args.size_list) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat need numbers of at least 1")
    args.work = args.work.resolve()
    if args.work.exists() and any(args.work.iterdir()) and not (args.work / WORK_MARKER).is_file():
        parser.error(f"--work: {args.work} is not empty and was not made by bench/run.py: choose another folder")
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure every size, print the table; exit 1 when our engine failed on a corpus."""
    args = parse_args(argv)
    started = time.perf_counter()
    say = functools.partial(log, started=started)
    load_start = os.getloadavg()[0]
    results = []
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / WORK_MARKER).write_text("made by bench/run.py; deleted after the run\n", encoding="utf-8")
    try:
        for count in args.size_list:
            results.append(bench_size(count, args, say))
    finally:
        if not args.keep:
            remove(args.work)
    say("done")
    table = format_table(results, args, (load_start, os.getloadavg()[0]))
    print(table)
    if args.readme:
        write_readme(REPO / "README.md", table, " ".join(["python3", "bench/run.py", *(argv or sys.argv[1:])]))
    return 1 if any(r.ours.problem or (r.bilingual and r.bilingual.problem) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
