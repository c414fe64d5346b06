"""Start a throwaway varnishd with the portal's VCL (ops/varnish/portal.vcl) in front of a
given backend; used by the integration tests and bench/public_pages.py."""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VCL_TEMPLATE = REPO / "ops" / "varnish" / "portal.vcl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_vcl(backend_host: str, backend_port: int) -> str:
    vcl = VCL_TEMPLATE.read_text().replace("@BACKEND_HOST@", backend_host)
    return vcl.replace("@BACKEND_PORT@", str(backend_port))


class Varnish:
    """``Varnish(host, port)`` starts varnishd in the foreground; ``.url``, ``.stop()``."""

    def __init__(self, backend_host: str, backend_port: int, memory: str = "64m"):
        if not shutil.which("varnishd"):
            raise RuntimeError("varnishd not found: `ops/services start varnish` installs it")
        # varnishd's worker runs as its own user: the folder must be readable by it.
        self.dir = Path(tempfile.mkdtemp(prefix="portal-varnish-"))
        self.dir.chmod(0o755)
        vcl_file = self.dir / "portal.vcl"
        vcl_file.write_text(render_vcl(backend_host, backend_port))
        vcl_file.chmod(0o644)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = ["varnishd", "-F", "-a", f"127.0.0.1:{self.port}"]
        command += ["-T", f"127.0.0.1:{free_port()}", "-n", str(self.dir / "work")]
        command += ["-f", str(vcl_file), "-s", f"malloc,{memory}", "-p", "ban_lurker_sleep=0.1"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                self.stop()
                raise RuntimeError(f"varnishd exited: {output}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("varnishd did not start within 30 s")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
