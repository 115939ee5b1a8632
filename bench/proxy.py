"""The shipped deployment, run for real on 127.0.0.1: `pprsearch serve` behind Debian's nginx
with deploy/nginx/pprsearch.conf, each in a temp folder of its own.

Used by tests/test_deploy.py and bench/proxy_share.py. nginx runs in the foreground
(`daemon off`) with its own prefix, pid file, logs and temp paths, so it touches nothing of
the machine's nginx; the site file is the shipped one with its placeholders filled in.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .load import stop, wait_ready

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "pprsearch.conf"
STATIC = ROOT / "webui" / "static"
PPRSEARCH = [sys.executable, "-m", "webui.cli"]
INSTALL_HINT = "nginx is not installed: `apt-get install -y nginx` (Debian's package) installs it."

# The main file around the site file: what /etc/nginx/nginx.conf gives it on a real machine,
# with every path nginx writes inside the prefix.
_MAIN = """\
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    {mime}
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/pprsearch.conf;
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill_site(values: dict[str, str], template: str | None = None) -> str:
    """The site file with its ${PPRSEARCH_...} placeholders replaced (as envsubst would)."""
    text = SITE.read_text(encoding="utf-8") if template is None else template
    for name, value in values.items():
        text = text.replace("${%s}" % name, value)
    return text


def write_prefix(prefix: Path, listen: int, upstream: int) -> Path:
    """An nginx prefix folder holding the main file and the filled site file; the main file."""
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    (prefix / "cache").mkdir(exist_ok=True)
    site = fill_site({
        "PPRSEARCH_LISTEN": f"127.0.0.1:{listen}",
        "PPRSEARCH_SERVER_NAME": "localhost",
        "PPRSEARCH_UPSTREAM": f"127.0.0.1:{upstream}",
        "PPRSEARCH_CACHE": str(prefix / "cache"),
        "PPRSEARCH_STATIC": str(STATIC),
    })
    (prefix / "pprsearch.conf").write_text(site, encoding="utf-8")
    mime = Path("/etc/nginx/mime.types")
    main = prefix / "nginx.conf"
    main.write_text(_MAIN.format(
        prefix=prefix,
        # As root, nginx's workers would run as nobody, who cannot read a private temp folder.
        user="user root;\n" if os.geteuid() == 0 else "",
        mime=f"include {mime};" if mime.exists() else "",
    ), encoding="utf-8")
    return main


def nginx_command(nginx: str, prefix: Path, *args: str) -> list[str]:
    return [nginx, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"),
            "-e", str(prefix / "error.log"), *args]


def check_config(nginx: str, prefix: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on the prefix's files."""
    return subprocess.run(nginx_command(nginx, prefix, "-t"), capture_output=True, text=True,
                          timeout=30)


@contextmanager
def nginx(prefix: Path, listen: int, upstream: int, binary: str | None = None) -> Iterator[str]:
    """nginx in the foreground on 127.0.0.1:`listen` in front of `upstream`; its base URL."""
    binary = binary or nginx_binary()
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    write_prefix(prefix, listen, upstream)
    checked = check_config(binary, prefix)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
    log = prefix / "nginx.out"
    with open(log, "wb") as out:
        process = subprocess.Popen(nginx_command(binary, prefix, "-g", "daemon off;"),
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{listen}"
    try:
        wait_ready(base + "/healthz", process, 30,
                   lambda: log.read_text(errors="replace") + _tail(prefix / "error.log"))
        yield base
    finally:
        stop(process)


@contextmanager
def server(data: Path, port: int, env: dict[str, str], workers: int = 2,
           log: Path | None = None) -> Iterator[str]:
    """`pprsearch serve` on 127.0.0.1:`port` over `data`; its base URL."""
    log = log or data.parent / "server.log"
    runtime = data.parent / "run"
    runtime.mkdir(exist_ok=True)
    # gunicorn's default control-socket folder: kept apart from other servers of this user.
    env = {**env, "XDG_RUNTIME_DIR": str(runtime)}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*PPRSEARCH, "--data", str(data), "serve", "--workers", str(workers), "--threads", "2",
             "--port", str(port), "--host", "127.0.0.1"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + "/healthz", process, 30, lambda: _tail(log))
        yield base
    finally:
        stop(process)


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-3000:]
    except OSError:
        return ""
