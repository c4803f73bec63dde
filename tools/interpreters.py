"""The CPythons the matrix sessions test on, made when missing and cached
outside the clone ($WORD_COUNT_CACHE, default /var/cache/word_count), so that
a machine kept between runs makes them once:

- 3.13t, free-threaded: built from the upstream tarball of Debian trixie's
  source package python3.13 (`./configure --disable-gil`, about 5 minutes);
- 3.13, 3.14 and 3.15: Debian sid's packages, in a `debootstrap
  --variant=minbase` chroot (about 2 minutes); sid has no source package of
  3.14 or 3.15, so no free-threaded 3.14t here, and no Debian suite has 3.12.

    python3 tools/interpreters.py 3.13t     # make it; print its path
    python3 tools/interpreters.py 3.13t-tsan  # the same under ThreadSanitizer
    python3 tools/interpreters.py sid       # make the chroot; print its root

Needs root (apt-get, debootstrap, chroot, mount), as CI has.
"""
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

CACHE = os.environ.get("WORD_COUNT_CACHE", "/var/cache/word_count")
MIRROR = "http://deb.debian.org/debian"

#: What building CPython with ssl, zlib, ctypes, bz2, lzma and sqlite3 needs.
BUILD_DEPENDS = ["build-essential", "libssl-dev", "zlib1g-dev", "libffi-dev", "libbz2-dev",
                 "liblzma-dev", "libsqlite3-dev", "xz-utils"]
#: What the sid chroot holds: the interpreters, their headers and a compiler.
SID_VERSIONS = ["3.13", "3.14", "3.15"]
SID_PACKAGES = [f"python{v}-{part}" for v in SID_VERSIONS for part in ("dev", "venv")] + [
    "gcc", "libc6-dev", "ca-certificates"]


def run(*command, **kwargs):
    print("+", " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, **kwargs)


def run_logged(*command, log, **kwargs):
    """run(), its output appended to the file `log`; its tail is shown if it
    fails (a compiler's thousands of warnings are not)."""
    with open(log, "a") as f:
        try:
            run(*command, stdout=f, stderr=subprocess.STDOUT, **kwargs)
        except subprocess.CalledProcessError:
            with open(log) as g:
                print("".join(g.readlines()[-60:]), file=sys.stderr)
            raise


def apt_install(*packages):
    """Debian packages that are missing (CI and new machines lack them)."""
    missing = [p for p in packages
               if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if missing:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", *missing,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def free_threaded_313(thread_sanitizer=False):
    """The path of python3.13t, built first if missing; with
    `thread_sanitizer`, a build under ThreadSanitizer (--with-thread-sanitizer,
    as CPython tests its free-threaded build), with CPython's suppressions
    for it beside the binary (suppressions_free_threading.txt)."""
    prefix = os.path.join(CACHE, "python3.13t-tsan" if thread_sanitizer else "python3.13t")
    python = os.path.join(prefix, "bin", "python3.13t")
    complete = os.path.join(prefix, "complete")  # written last: a build cut short is redone
    if os.path.exists(complete):
        return python
    shutil.rmtree(prefix, ignore_errors=True)
    apt_install(*BUILD_DEPENDS, "dpkg-dev")
    apt_dir = os.path.join(CACHE, "apt-trixie")
    os.makedirs(os.path.join(apt_dir, "lists", "partial"), exist_ok=True)
    with open(os.path.join(apt_dir, "sources.list"), "w") as f:
        f.write(f"deb-src {MIRROR} trixie main\n")
    # A private sources list and state: the system's apt is left as it is.
    private = ["-o", f"Dir::Etc::SourceList={apt_dir}/sources.list",
               "-o", "Dir::Etc::SourceParts=/dev/null",
               "-o", f"Dir::State::Lists={apt_dir}/lists"]
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        run("apt-get", *private, "update", "-qq")
        run("apt-get", *private, "source", "--download-only", "-qq", "python3.13", cwd=work)
        tarball = next(f for f in os.listdir(work) if f.endswith(".orig.tar.xz"))
        source = os.path.join(work, "src")
        os.makedirs(source)
        run("tar", "-xJf", os.path.join(work, tarball), "-C", source, "--strip-components=1")
        sanitizer = ["--with-thread-sanitizer"] if thread_sanitizer else []
        log = prefix + ".build.log"
        run_logged("./configure", "--disable-gil", *sanitizer, f"--prefix={prefix}",
                   "--with-ensurepip=install", cwd=source, log=log)
        run_logged("make", f"-j{os.cpu_count() or 2}", cwd=source, log=log)
        run_logged("make", "install", cwd=source, log=log)
        shutil.copy(os.path.join(source, "Tools", "tsan", "suppressions_free_threading.txt"),
                    os.path.join(prefix, "bin"))
    with open(complete, "w"):
        pass
    return python


def sid_chroot():
    """The root of the sid chroot with python3.13, 3.14 and 3.15, made (or
    completed) first if need be."""
    root = os.path.join(CACHE, "sid")
    if all(os.path.exists(os.path.join(root, "usr", "bin", f"python{v}")) for v in SID_VERSIONS):
        return root
    if not os.path.exists(os.path.join(root, "usr", "bin", "apt-get")):
        apt_install("debootstrap")
        partial = root + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        run("debootstrap", "--variant=minbase", "sid", partial, MIRROR,
            stdout=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)
        os.rename(partial, root)
    with host_network(root):
        # sid's Release file may have expired: its validity is not checked.
        apt = "apt-get -o Acquire::Check-Valid-Until=false"
        run("chroot", root, "sh", "-c", f"{apt} update -qq && DEBIAN_FRONTEND=noninteractive "
            f"{apt} install -y -qq --no-install-recommends {' '.join(SID_PACKAGES)}")
    return root


@contextlib.contextmanager
def host_network(root):
    """The host's name resolution, CA bundle and pip configuration, copied in
    (the package registries are reached through them)."""
    for path in ("/etc/resolv.conf", "/etc/pip.conf", "/etc/xdg/pip",
                 "/etc/ssl/certs/ca-certificates.crt"):
        if os.path.exists(path):
            target = root + path
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.isdir(path):
                shutil.copytree(path, target, dirs_exist_ok=True)
            else:
                shutil.copyfile(path, target)
    yield


@contextlib.contextmanager
def mounted(root):
    """/proc, /sys and /dev inside the chroot while the tests run."""
    mounts = [("proc", ["-t", "proc", "proc"]), ("sys", ["--bind", "/sys"]),
              ("dev", ["--bind", "/dev"])]
    done = []
    try:
        for name, how in mounts:
            run("mount", *how, os.path.join(root, name))
            done.append(os.path.join(root, name))
        yield
    finally:
        for target in reversed(done):
            subprocess.run(["umount", "-l", target], check=False)


def run_in_chroot(root, script, env=None):
    """Runs the shell `script` inside the chroot, with the host's network
    configuration and /proc, /sys and /dev mounted."""
    with host_network(root), mounted(root):
        run("chroot", root, "sh", "-ec", script, env={**os.environ, **(env or {})})


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "3.13t":
        print(free_threaded_313())
    elif what == "3.13t-tsan":
        print(free_threaded_313(thread_sanitizer=True))
    elif what == "sid":
        print(sid_chroot())
    else:
        sys.exit("usage: interpreters.py 3.13t|3.13t-tsan|sid")


if __name__ == "__main__":
    main()
