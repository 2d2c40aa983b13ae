"""A throwaway Dovecot IMAP server on loopback, for tests and for trying IMAP intake locally.

    python scripts/dovecot.py start DIR [--port N]     # prints host, port, user and password
    python scripts/dovecot.py stop DIR

Any user name logs in with the password "secret"; each user gets a Maildir under DIR/mail/.
Run as root (Dovecot then drops to the `dovecot` user, which must own the mail and be able to
reach DIR) or as an ordinary user (everything then runs as that user).
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HOST = "127.0.0.1"
USER = "desk"
PASSWORD = "secret"
_SOCKET_PATH_MAX = 107  # sun_path; Dovecot's longest socket name under base_dir is ~30 chars

CONFIG = """\
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
{users}passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
}}
"""


class DovecotServer(NamedTuple):
    host: str
    port: int
    user: str
    password: str
    maildir: Path  # the user's Maildir (created by Dovecot at the first login)


class DovecotUnavailable(RuntimeError):
    """Dovecot is not installed, or cannot run here; tests skip (or fail under CI) on this."""


def binary() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _mail_owner() -> tuple[int, int]:
    """Root must hand the mail to an unprivileged user; anyone else runs everything as self."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    try:
        entry = pwd.getpwnam("dovecot")
    except KeyError as exc:
        raise DovecotUnavailable("no `dovecot` user (install dovecot-imapd)") from exc
    return entry.pw_uid, entry.pw_gid


def _unprivileged_users() -> str:
    name, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    return (f"default_internal_user = {name}\ndefault_internal_group = {group}\n"
            f"default_login_user = {name}\n"
            "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n")


def _check_root_dir(root: Path, uid: int) -> None:
    if len(str(root / "run")) + 30 > _SOCKET_PATH_MAX:
        raise DovecotUnavailable(f"{root} is too long a path for Dovecot's unix sockets")
    if uid != os.geteuid():
        for part in [root, *root.parents]:
            if not part.stat().st_mode & 0o001:
                raise DovecotUnavailable(f"the mail user cannot enter {part}: chmod o+x it")


def write_config(root: Path, port: int) -> Path:
    uid, gid = _mail_owner()
    root.mkdir(parents=True, exist_ok=True)
    _check_root_dir(root, uid)
    (root / "mail").mkdir(exist_ok=True)
    os.chown(root / "mail", uid, gid)
    users = _unprivileged_users() if os.geteuid() != 0 else ""
    conf = root / "dovecot.conf"
    conf.write_text(CONFIG.format(host=HOST, root=root, users=users, password=PASSWORD,
                                  uid=uid, gid=gid, port=port))
    return conf


def start(root: Path, port: int | None = None, timeout: float = 10.0) -> DovecotServer:
    """Start Dovecot on `root` and return once it greets on its port."""
    exe = binary()
    if exe is None:
        raise DovecotUnavailable("dovecot is not installed (apt-get install dovecot-imapd)")
    root = root.resolve()
    port = port or free_port()
    conf = write_config(root, port)
    # Not a pipe: the daemonised master would inherit it and keep it open for its lifetime.
    with open(root / "dovecot.start.log", "w+") as errors:
        done = subprocess.run([exe, "-c", str(conf)], stdout=errors, stderr=errors)
        errors.seek(0)
        if done.returncode != 0:
            raise DovecotUnavailable(f"dovecot did not start: {errors.read().strip()}")
    _wait_for_greeting(root, port, timeout)
    return DovecotServer(HOST, port, USER, PASSWORD, root / "mail" / USER)


def _wait_for_greeting(root: Path, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1.0) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(root)
            raise DovecotUnavailable(f"dovecot did not answer on port {port}: {_log(root)}")
        time.sleep(0.05)


def _log(root: Path) -> str:
    try:
        return " | ".join((root / "dovecot.log").read_text().splitlines()[-5:])
    except OSError:
        return "(no log)"


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state first), or None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _alive(pid: int) -> bool:
    """A zombie counts as dead: the daemonised master is nobody's child here to be reaped."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _session(leader: int) -> list[int]:
    """Live Dovecot processes of the master's session: imap processes outlive the master."""
    members = []
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields and fields[0] != "Z" and fields[3] == str(leader) and _is_dovecot(entry):
            members.append(int(entry.name))
    return members


def _is_dovecot(proc: Path) -> bool:
    try:
        return b"dovecot" in (proc / "cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return False


def _signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def stop(root: Path, timeout: float = 10.0) -> bool:
    """Stop the master whose pid is in `root`/run/master.pid, and whatever it left running;
    False if nothing was running."""
    pid_file = root.resolve() / "run" / "master.pid"
    try:
        leader = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return False
    pids = _session(leader)
    if not pids:
        return False
    _signal_all(pids, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pids := _session(leader):
        if time.monotonic() > deadline:
            _signal_all(pids, signal.SIGKILL)
            break
        time.sleep(0.05)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A throwaway Dovecot IMAP server on loopback.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("dir", type=Path, help="directory for config, state, log and mail")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    args = parser.parse_args(argv)
    try:
        if args.action == "stop":
            print("stopped" if stop(args.dir) else "not running")
            return 0
        server = start(args.dir, args.port)
    except DovecotUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"IMAP on {server.host}:{server.port}, user {server.user} (any name works), "
          f"password {server.password}; mail in {server.maildir.parent}; "
          f"log {args.dir.resolve() / 'dovecot.log'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
