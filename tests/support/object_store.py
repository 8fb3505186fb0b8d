"""The suite's own S3-compatible server: moto's `moto_server` (requirements-dev.txt) on
127.0.0.1, started per test session and stopped by its pid.

It speaks HTTPS, as AWS S3 and Spaces do, with a certificate from the suite's test CA
(tests/support/tls.py): pages served over HTTPS can then show its signed URLs without mixed
content, and the Content Security Policy names an https origin. Clients trust the CA
as they trust a public one: boto3 through AWS_CA_BUNDLE.
"""

import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

from tests.support import machine

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
START_TIMEOUT = 30
REGION = "us-east-1"
# moto accepts any key; these stand for the one a person creates for the bucket.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-access-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


class S3Server:
    """`certificate`: (certificate, key) for 127.0.0.1, signed by the CA `ca`."""

    def __init__(self, directory: Path, certificate: tuple[Path, Path], ca: Path):
        self.port = machine.free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.ca = ca
        self.log = directory / "moto.log"
        tls = ["--ssl-cert", str(certificate[0]), "--ssl-key", str(certificate[1])]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port), *tls],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.open(f"{self.url}/moto-api/").close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    log = self.log.read_text()
                    raise AssertionError(f"moto_server did not start:\n{log}") from None
                time.sleep(0.2)

    def open(self, url: str):
        """urllib's response to a GET of `url`, trusting the CA."""
        context = ssl.create_default_context(cafile=self.ca)
        return urllib.request.urlopen(url, timeout=10, context=context)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            verify=str(self.ca),
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def keys(self, bucket: str) -> set[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listing.get("Contents", [])}

    def variables(self, bucket: str) -> dict[str, str]:
        """What a person sets for the project's bucket, pointing here."""
        return {
            **CREDENTIALS,
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ENDPOINT_URL": self.url,
        }

    def trust(self) -> dict[str, str]:
        """The environment in which boto3 trusts the CA, as it trusts the public one
        that signs S3's certificates."""
        return {"AWS_CA_BUNDLE": str(self.ca)}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
