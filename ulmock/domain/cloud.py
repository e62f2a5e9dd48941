"""The emulated cloud: each workspace's buckets, and the storage integrations that reach them.

Nothing leaves the machine. A bucket is a folder a scenario names or a set of objects a
test put through the control API. Credentials are checked for shape only (a GCS service
account, an AWS access key, an Azure connection string) and reach the buckets of the
caller's own workspace under that provider; the secret part is never stored, only the
identity the live service shows back (`credentialIdentity`).

Listing works like the providers' own: keys are `/`-separated paths, one level at a time
under a prefix, folders first, in pages with an opaque cursor.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ulmock.domain.connections import Bucket, Provider, StorageIntegration
from ulmock.domain.entities import Account
from ulmock.domain.errors import Conflict, NotFound, ValidationError
from ulmock.domain.world import World

PROVIDERS: tuple[Provider, ...] = ("gcs", "s3", "azure")
PAGE = 100
TARGETS_MAX = 50
# S3 and GCS bucket names; Azure containers are the same without dots.
BUCKET_NAME = {
    "gcs": re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$"),
    "s3": re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "azure": re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$"),
}
EMAIL = re.compile(r"^[A-Za-z0-9_+.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
AWS_KEY_ID = re.compile(r"^(AKIA|AIDA|AROA)[A-Z0-9]{12,124}$")
AWS_SECRET = re.compile(r"^[A-Za-z0-9/+=]{40}$")
AWS_REGION = re.compile(r"^[a-z]{2,4}(?:-[a-z0-9]+)+-\d+$")
AZURE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
OBJECT_KEY_MAX = 1024


@dataclass(frozen=True)
class Entry:
    kind: str  # "folder" | "file"
    name: str
    key: str
    size: int | None = None
    updated_at: float | None = None


def credential_identity(provider: str, credentials: Mapping[str, Any]) -> str:
    """Who the credentials say they are, once their shape is right (400 otherwise)."""

    def field(name: str, limit: int) -> str:
        value = credentials.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"Credential validation failed: {name} is required", {name: "required"})
        if len(value) > limit:
            raise ValidationError(f"Credential validation failed: {name} is too long", {name: f"at most {limit}"})
        return value.strip()

    if provider == "gcs":
        email, key, project = field("client_email", 254), field("private_key", 4096), field("project_id", 100)
        if not EMAIL.match(email):
            raise ValidationError(
                "Credential validation failed: client_email is not an email address", {"client_email": "email"}
            )
        if "-----BEGIN PRIVATE KEY-----" not in key or "-----END PRIVATE KEY-----" not in key:
            raise ValidationError(
                "Credential validation failed: private_key is not a PEM private key", {"private_key": "PEM"}
            )
        if not GCP_PROJECT.match(project):
            raise ValidationError(
                "Credential validation failed: project_id is not a Google Cloud project ID",
                {"project_id": project[:100]},
            )
        return email
    if provider == "s3":
        key_id, secret, region = field("access_key_id", 128), field("secret_access_key", 4096), field("region", 100)
        if key_id.startswith("ASIA"):
            raise ValidationError(
                "Credential validation failed: temporary (ASIA) access keys are not accepted",
                {"access_key_id": "long-lived key"},
            )
        if not AWS_KEY_ID.match(key_id):
            raise ValidationError(
                "Credential validation failed: access_key_id is not an AWS access key ID", {"access_key_id": "AKIA..."}
            )
        if not AWS_SECRET.match(secret):
            raise ValidationError(
                "Credential validation failed: secret_access_key is not an AWS secret key",
                {"secret_access_key": "40 characters"},
            )
        if not AWS_REGION.match(region):
            raise ValidationError("Credential validation failed: region is not an AWS region", {"region": region[:100]})
        return key_id
    if provider == "azure":
        text = field("connection_string", 4096)
        parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
        account, key = parts.get("AccountName", ""), parts.get("AccountKey", "")
        if not AZURE_ACCOUNT.match(account) or not key:
            raise ValidationError(
                "Credential validation failed: connection_string needs AccountName and AccountKey",
                {"connection_string": "AccountName=...;AccountKey=..."},
            )
        try:
            base64.b64decode(key, validate=True)
        except ValueError:
            raise ValidationError(
                "Credential validation failed: AccountKey is not base64", {"connection_string": "AccountKey"}
            ) from None
        return account
    raise ValidationError(f"Unknown provider '{provider}'", {"provider": "one of gcs, s3, azure"})


class Cloud:
    def __init__(self, world: World):
        self.world = world

    # -- buckets (what the scenario or the control API put in the cloud) ---------------
    def bucket(self, account: Account, provider: str, name: str) -> Bucket | None:
        rows, _ = self.world.buckets(account.id).newest_first(provider=provider)
        return next((b for b in rows if b.name == name), None)

    def buckets(self, account: Account, provider: str) -> list[Bucket]:
        rows, _ = self.world.buckets(account.id).newest_first(provider=provider)
        return sorted(rows, key=lambda b: b.name)

    def add_bucket(self, account: Account, provider: str, name: str, folder: Path | None = None) -> Bucket:
        if provider not in PROVIDERS:
            raise ValidationError(f"Unknown provider '{provider}'", {"provider": "one of gcs, s3, azure"})
        if not BUCKET_NAME[provider].match(name):
            raise ValidationError(f"'{name}' is not a valid {provider} bucket name", {"name": name[:64]})
        if folder is not None and not folder.is_dir():
            raise ValidationError(f"Bucket folder '{folder}' is not a directory", {"folder": str(folder)})
        existing = self.bucket(account, provider, name)
        if existing is not None:
            if folder is not None:
                existing.folder = str(folder.resolve())
            return existing
        w = self.world
        return w.create(
            w.buckets, account.id, provider=provider, name=name, folder=str(folder.resolve()) if folder else None
        )

    def put_objects(self, bucket: Bucket, objects: Mapping[str, bytes]) -> None:
        for key in objects:
            check_key(key)
        for key, data in objects.items():
            old = bucket.objects.get(key)
            if old is not None:
                self.world.blobs.delete(old)
            bucket.objects[key] = self.world.blobs.put(data).id

    def files(self, bucket: Bucket) -> Iterator[tuple[str, int, float]]:
        """Every object as (key, size, updated at), sorted by key."""
        found: dict[str, tuple[int, float]] = {}
        if bucket.folder is not None:
            root = Path(bucket.folder)
            for path in root.rglob("*"):
                # Only regular files inside the folder: a link out of it is not in the bucket.
                if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(root):
                    found[path.relative_to(root).as_posix()] = (path.stat().st_size, bucket.created_at)
        for key, blob_id in bucket.objects.items():
            blob = self.world.blobs.get(blob_id)
            if blob is not None:
                found[key] = (blob.size, bucket.created_at)
        for key in sorted(found):
            yield key, *found[key]

    def read_object(self, bucket: Bucket, key: str) -> bytes:
        blob_id = bucket.objects.get(key)
        if blob_id is not None:
            return self.world.blobs.read(blob_id)
        if bucket.folder is not None:
            root = Path(bucket.folder)
            path = (root / key).resolve()
            if path.is_relative_to(root) and path.is_file():
                return path.read_bytes()
        raise NotFound("Object not found", {"key": key[:OBJECT_KEY_MAX]})

    # -- integrations ------------------------------------------------------------------
    def discover(self, account: Account, provider: str, credentials: Mapping[str, Any]) -> list[str]:
        credential_identity(provider, credentials)
        return [b.name for b in self.buckets(account, provider)]

    def connect(
        self, account: Account, provider: str, credentials: Mapping[str, Any], targets: list[str]
    ) -> StorageIntegration:
        identity = credential_identity(provider, credentials)
        if not 1 <= len(targets) <= TARGETS_MAX:
            raise ValidationError(
                f"Target validation failed: give 1 to {TARGETS_MAX} targets", {"targets": len(targets)}
            )
        reachable = set(self.discover(account, provider, credentials))
        wanted = list(dict.fromkeys(t.strip() for t in targets))
        for target in wanted:
            if target not in reachable:
                raise ValidationError(
                    f"Target validation failed: '{target[:222]}' is not readable with these credentials",
                    {"targets": target[:222]},
                )
        w = self.world
        table = w.integrations(account.id)
        rows, _ = table.newest_first(provider=provider)
        if any(i.credential_identity == identity for i in rows):
            raise Conflict(
                f"A {provider} integration for '{identity}' already exists", {"credentialIdentity": identity}
            )
        return w.create(w.integrations, account.id, provider=provider, credential_identity=identity, targets=wanted)

    def integrations(self, account: Account) -> list[StorageIntegration]:
        return list(self.world.integrations(account.id).newest_first()[0])

    def disconnect(self, account: Account, integration: StorageIntegration) -> None:
        self.world.integrations(account.id).remove(integration.id)

    def target(self, account: Account, integration: StorageIntegration, target: str) -> Bucket:
        """A connected bucket; one not connected (or gone from the cloud) is a 404."""
        bucket = self.bucket(account, integration.provider, target) if target in integration.targets else None
        if bucket is None:
            raise NotFound("Target not found", {"target": target[:222]})
        return bucket

    def list_objects(self, bucket: Bucket, prefix: str, cursor: str | None) -> tuple[list[Entry], str | None]:
        """One level beneath `prefix`: folders first, then files; a page and the next cursor."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        if prefix.startswith("/") or ".." in prefix.split("/"):
            raise ValidationError("Invalid folder path", {"prefix": prefix[:OBJECT_KEY_MAX]})
        folders: dict[str, None] = {}
        files: list[Entry] = []
        for key, size, updated in self.files(bucket):
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix) :]
            head, sep, _ = rest.partition("/")
            if sep:
                folders[head] = None
            else:
                files.append(Entry("file", rest, key, size, updated))
        entries = [Entry("folder", name, f"{prefix}{name}/") for name in folders] + files
        start = decode_cursor(cursor) if cursor else 0
        page = entries[start : start + PAGE]
        more = start + PAGE < len(entries)
        return page, encode_cursor(start + PAGE) if more else None

    def read_tree(self, bucket: Bucket, prefix: str = "") -> Iterator[tuple[str, bytes]]:
        """Every object under `prefix` with its bytes: what an ingest from a bucket reads."""
        for key, _, _ in self.files(bucket):
            if key.startswith(prefix):
                yield key, self.read_object(bucket, key)

    def archive(self, bucket: Bucket, prefix: str = "") -> bytes:
        """The objects under `prefix` as one zip, paths relative to it (what a dataset ingest reads)."""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        out = io.BytesIO()
        count = 0
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for key, data in self.read_tree(bucket, prefix):
                archive.writestr(key[len(prefix) :], data)
                count += 1
        if not count:
            raise NotFound("No objects under this prefix", {"prefix": prefix[:OBJECT_KEY_MAX]})
        return out.getvalue()


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or len(key) > OBJECT_KEY_MAX or key.startswith("/") or ".." in parts or "" in parts:
        raise ValidationError(f"Invalid object key '{key[:100]}'", {"key": key[:OBJECT_KEY_MAX]})
    return key


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.startswith("o:") or not text[2:].isdigit():
        raise ValidationError("Invalid page cursor", {"cursor": cursor[:100]})
    return int(text[2:])
