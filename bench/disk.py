"""Cold builds on a real disk, ours against Hugo, each on a filesystem of its own.

`run.py --work /dev/shm/...` measures the work on a RAM disk; on a disk, making 14,000 files
and folders can cost as much as the rest of the build. This machine's root disk is ext4
without a journal: each new inode skips the ones freed in the last minute or so, so a cold
build made right after `rm -rf output` (what a benchmark's "cold" does) pays for the files the
last build left, and a tool measured after another pays for the other's too. Here each build is
measured on a new ext4 image made like that disk (`mkfs.ext4 -O ^has_journal`, loop-mounted
with `discard`): the site is built once, its output and caches deleted, then built again and
timed. Needs root (mount), mkfs.ext4 and Hugo (requirements-bench.txt).

    sudo python3 bench/disk.py --size 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from generate import make_articles, write_site
from peers import hugo_peer, write_hugo_site
from run import LEAN, REPO, _site_timezone, ours_command, remove, run_measured, set_features


def fresh_disk(folder: Path) -> Path:
    """A new 4 GB ext4 image without a journal, mounted at folder/mnt."""
    image, mount = folder / "disk.img", folder / "mnt"
    mount.mkdir(parents=True, exist_ok=True)
    with open(image, "wb") as f:
        f.truncate(4 << 30)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-O", "^has_journal", str(image)], check=True)
    subprocess.run(["mount", "-o", "loop,discard", str(image), str(mount)], check=True)
    return mount


def release(folder: Path) -> None:
    subprocess.run(["umount", str(folder / "mnt")], check=False)
    (folder / "disk.img").unlink(missing_ok=True)


def cold_after_delete(name: str, source: Path, folder: Path) -> tuple[float, float, float]:
    """Copy a site onto a fresh disk, build it, delete what the build made, build it again:
    (seconds, user CPU, system CPU) of the second build."""
    mount = fresh_disk(folder)
    try:
        site = mount / "site"
        shutil.copytree(source, site)
        if name == "ours":
            command, made = ours_command(site, None), (site / "output", site / ".cache")
        else:
            peer = hugo_peer(site)
            if isinstance(peer, str):
                raise SystemExit(f"Hugo: {peer}")
            command, made = list(peer.command), peer.clean
        first = run_measured(command, site)
        if first.returncode != 0:
            raise SystemExit(f"{name} failed:\n{first.output[-2000:]}")
        remove(*made)
        run = run_measured(command, site)
        if run.returncode != 0:
            raise SystemExit(f"{name} failed:\n{run.output[-2000:]}")
        return run.seconds, *run.cpu
    finally:
        release(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="articles (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="builds of each tool; medians (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None:
        raise SystemExit("disk.py makes and mounts ext4 images: run it as root, with mkfs.ext4 (e2fsprogs)")
    with tempfile.TemporaryDirectory(prefix="digest-disk-") as work:
        folder = Path(work)
        articles = make_articles(args.size, args.seed)
        write_site(articles, folder / "ours")
        set_features(folder / "ours", LEAN)
        write_hugo_site(articles, folder / "hugo", _site_timezone(folder / "ours"))
        times: dict[str, list[tuple[float, float, float]]] = {"ours": [], "hugo": []}
        for round_number in range(args.repeat):
            for name in ("ours", "hugo") if round_number % 2 == 0 else ("hugo", "ours"):
                measured = cold_after_delete(name, folder / name, folder / "disk")
                times[name].append(measured)
                print(f"round {round_number + 1}: {name} {measured[0]:.2f} s (user {measured[1]:.1f} s, "
                      f"system {measured[2]:.1f} s)", file=sys.stderr)
    medians = {name: statistics.median(t[0] for t in runs) for name, runs in times.items()}
    print(f"{args.size:,} articles, cold after deleting the last build's output, each on a fresh ext4 "
          f"without a journal (median of {args.repeat}):")
    for name, runs in times.items():
        shown = ", ".join(f"{t[0]:.2f}" for t in runs)
        print(f"  {name}: {medians[name]:.2f} s ({shown}); system CPU "
              f"{statistics.median(t[2] for t in runs):.1f} s")
    print(f"  ours / Hugo: {medians['ours'] / medians['hugo']:.2f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
