"""The bucket's storage: django-storages' S3Storage with timeouts, in a module of its
own so that botocore, which loads pyOpenSSL, loads with the first upload."""

from botocore.config import Config
from storages.backends.s3 import S3Storage


class MediaStorage(S3Storage):
    # A bucket that hangs fails an upload in 20-26 s, before the router's 30, where
    # botocore's defaults wait 60 s a try, five tries, holding a web thread.
    client_config = Config(
        signature_version="s3v4",
        connect_timeout=3,
        read_timeout=10,
        retries={"mode": "standard", "total_max_attempts": 2},
    )
