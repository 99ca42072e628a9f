"""Papers in S3-compatible object storage, tested against a real S3 endpoint: moto's
server, started on a free loopback port. Uploads go through the service, downloads
through the portal's view; objects stay private; a refused upload leaves the bucket
empty. And how the storage is chosen from the environment."""

import io
import uuid
import zipfile

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from moto.server import ThreadedMotoServer

from documents.services import document_create, document_version_add
from documents.tasks import document_text_extract_task
from portal.env import file_storage_from_env
from tests.documents.places import item, papers_state, scheduled_meeting
from tests.documents.upload_files import HTML_BYTES, docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
STORAGE_VARIABLES = (
    "STORAGE_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh private bucket on the S3 server, the portal's default storage, chosen
    from STORAGE_URL exactly as settings.py chooses it."""
    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # A proxy configured on the machine must not stand between the tests and loopback.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    name = f"tansiq-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=name)
    monkeypatch.setenv(
        "STORAGE_URL", f"s3://testing:testing@{name}?endpoint={s3_endpoint}&region=us-east-1"
    )
    settings.STORAGES = {**settings.STORAGES, "default": file_storage_from_env()}
    return s3, name


def _keys(s3, name: str) -> list[str]:
    return sorted(row["Key"] for row in s3.list_objects_v2(Bucket=name).get("Contents", []))


def _streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_upload_is_a_private_object_read_back_through_the_portal(cast, client, bucket):
    s3, name = bucket

    document = document_create(
        group=cast.mwg,
        title="Returns",
        upload=upload("returns.pdf", pdf_bytes("Returns in the bucket")),
        by=cast.secretariat,
    )

    version = document.versions.get()
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    assert _keys(s3, name) == [version.file.name]
    stored = s3.get_object(Bucket=name, Key=version.file.name)["Body"].read()
    assert stored == pdf_bytes("Returns in the bucket")
    grants = s3.get_object_acl(Bucket=name, Key=version.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)
    client.force_login(cast.member)
    response = client.get(reverse("documents:version_download", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _streamed(response) == stored


def test_no_address_of_the_store_opens_a_file_without_a_signature(cast, bucket, s3_endpoint):
    s3, name = bucket
    document = document_create(
        group=cast.mwg, title="Private", upload=upload("p.pdf", pdf_bytes("p")), by=None
    )
    key = document.versions.get().file.name

    signed = default_storage.url(key)
    anonymous = requests.get(f"{s3_endpoint}/{name}/{key}", timeout=10)

    assert "X-Amz-Signature=" in signed
    assert anonymous.status_code == 403


def test_a_refused_upload_leaves_the_bucket_empty(cast, bucket):
    s3, name = bucket
    before = papers_state()

    with pytest.raises(ValidationError):
        document_create(
            group=cast.mwg, title="Trap", upload=upload("report.pdf", HTML_BYTES), by=None
        )
    with pytest.raises(ValidationError):
        # Valid file, refused row: the stored object is removed again.
        document_create(
            group=cast.mwg,
            title="Long note",
            upload=upload("ok.pdf", pdf_bytes("ok")),
            note="n" * 301,
            by=None,
        )

    assert _keys(s3, name) == []
    assert papers_state() == before


def test_versions_text_and_the_zip_work_from_the_bucket(cast, client, bucket):
    s3, name = bucket
    meeting = scheduled_meeting(cast)
    document = document_create(
        group=cast.mwg,
        agenda_item=item(meeting, "Health report"),
        title="Figures",
        upload=upload("figures.pdf", pdf_bytes("Vaccination figures")),
        by=cast.member,
    )
    second = document_version_add(
        document=document, upload=upload("figures.docx", docx_bytes("Updated figures")), by=None
    )

    assert document_text_extract_task(second.pk) == "done"
    second.refresh_from_db()
    assert "Updated figures" in second.text
    assert len(_keys(s3, name)) == 2
    client.force_login(cast.observer)
    response = client.get(reverse("documents:meeting_papers_zip", args=[meeting.pk]))
    archive = zipfile.ZipFile(io.BytesIO(_streamed(response)))
    assert archive.namelist() == ["02 Health report/figures.docx"]
    assert archive.read("02 Health report/figures.docx") == docx_bytes("Updated figures")


# --- Choosing the storage from the environment -----------------------------------


@pytest.fixture
def environment(monkeypatch):
    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_files_go_under_media_root_by_default(environment):
    assert file_storage_from_env() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_storage_url_names_bucket_prefix_endpoint_region_and_keys(environment):
    environment.setenv(
        "STORAGE_URL",
        "s3://AKIA%2Fkey:se%3Acret@papers.example/tansiq/files?endpoint=https://s3.example.org/"
        "&region=eu-west-1",
    )

    storage = file_storage_from_env()

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "papers.example"
    assert options["location"] == "tansiq/files"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["region_name"] == "eu-west-1"
    assert (options["access_key"], options["secret_key"]) == ("AKIA/key", "se:cret")
    assert options["addressing_style"] == "path"
    # Private: no ACL of their own, signed short-lived URLs, nothing overwritten.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["signature_version"] == "s3v4"


def test_the_aws_variables_choose_the_bucket_too(environment):
    environment.setenv("AWS_STORAGE_BUCKET_NAME", "tansiq-papers")
    environment.setenv("AWS_S3_REGION_NAME", "eu-central-1")

    options = file_storage_from_env()["OPTIONS"]

    assert options["bucket_name"] == "tansiq-papers"
    assert options["endpoint_url"] is None
    assert options["region_name"] == "eu-central-1"
    assert "addressing_style" not in options
    assert options["default_acl"] is None


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"STORAGE_URL": "ftp://bucket"}, "STORAGE_URL must look like s3://"),
        ({"STORAGE_URL": "s3://Bad_Bucket"}, "names a bucket"),
        ({"STORAGE_URL": "s3://papers?endpoint=minio:9000"}, "endpoint must be"),
        ({"STORAGE_URL": "s3://papers?acl=public-read"}, "not acl"),
        ({"STORAGE_URL": "s3://papers", "AWS_STORAGE_BUCKET_NAME": "papers"}, "not both"),
        ({"AWS_S3_ENDPOINT_URL": "https://s3.example.org"}, "AWS_STORAGE_BUCKET_NAME must be"),
    ],
)
def test_a_malformed_storage_setting_stops_start_up_naming_it(environment, variables, words):
    for name, value in variables.items():
        environment.setenv(name, value)

    with pytest.raises(ImproperlyConfigured) as refused:
        file_storage_from_env()

    assert words in str(refused.value)
