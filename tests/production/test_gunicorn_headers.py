"""What a real gunicorn with deploy/gunicorn.conf.py sends: no `Server` header naming the software.

gunicorn writes that header itself, below the app, so only a real server shows it is gone.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.production.test_two_instances import ROOT, _wait_until_up

pytestmark = pytest.mark.concurrency


def test_responses_do_not_name_the_server_software(tmp_path: Path) -> None:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    port = free_port()
    env = {
        **os.environ,
        "DIGICOACH_ENV": "testing",
        "DIGICOACH_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIGICOACH_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        "WEB_CONCURRENCY": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_until_up(port, process, log)
        # The database here is empty, so the unknown page fails inside the app and gunicorn
        # answers with its own error page: that one must not name the software either.
        for path in ("/healthz", "/static/css/digicoach.css", "/this-page-does-not-exist"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.getheader("Server") is None, (path, response.getheaders())
            if response.status < 500:
                assert response.getheader("Date"), (path, response.getheaders())  # kept
    finally:
        process.terminate()
        process.wait(timeout=30)
