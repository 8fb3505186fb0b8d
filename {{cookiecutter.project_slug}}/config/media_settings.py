"""Where uploads are kept, which config/settings.py takes in whole: a private S3 bucket,
since the {{ cookiecutter.__unit }}'s disk is wiped; locally, without a bucket, MEDIA_ROOT.
https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

MEDIA_URL = "media/"
MEDIA_ROOT = Path(__file__).resolve().parent.parent / "media"
MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
MEDIA_ORIGINS = []  # where pages load the pictures from, beside this site
if bucket := os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    MEDIA_STORAGE = {
        "BACKEND": "config.media_storage.MediaStorage",  # S3Storage with timeouts
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "querystring_auth": True,
            "querystring_expire": 3600,
            "default_acl": None,  # the bucket's own (private) access
            "file_overwrite": False,
        },
    }
    # URLs are signed for the endpoint's host, or on AWS for the bucket's own.
    origin = urlsplit(endpoint or f"https://{bucket}.s3.amazonaws.com")
    MEDIA_ORIGINS = [f"{origin.scheme}://{origin.netloc}"]
