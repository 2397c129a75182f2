"""Uploads are refused early and kindly (issue 13, finding 7): a body over
the limit is answered from its Content-Length before a byte of it is read;
a file that grows past the limit while it streams in stops the parsing; every
refusal, at every door that takes a file, is a Chinese sentence; and the
error pages a user can meet are in Chinese, never Django's bare English.

alice chairs community 1, sam is street staff."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import include, path, reverse

from members.models import ImportBatch
from tests import samples
from tests.factories import training

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
ACME = "北京椿树一号科技有限公司"
TOO_LARGE = "文件超过 50 MB"


class BodyTrap:
    """A wsgi.input that fails the test if anything reads the body."""

    def __init__(self):
        self.read_calls = 0

    def read(self, *args):
        self.read_calls += 1
        raise AssertionError("the request body was read")

    readline = read


class CountingInput(io.BytesIO):
    """A wsgi.input that counts what was read of it."""

    consumed = 0

    def read(self, size=-1):
        data = super().read(size)
        self.consumed += len(data)
        return data


def declared_post(client, url, length, **extra):
    """A POST whose headers announce `length` bytes that are never sent."""
    trap = BodyTrap()
    response = client.generic(
        "POST",
        url,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": trap},
        **extra,
    )
    assert trap.read_calls == 0
    return response


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "rosters"
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the body limit, before anything reads the body -----------------------------


@pytest.mark.parametrize("length", [60 * MB, 1024 * MB], ids=["60 MB", "1 GB"])
def test_a_roster_body_over_the_limit_is_refused_before_it_is_read(client, alice, length):
    client.force_login(alice)
    response = declared_post(client, reverse("portal:import_new"), length)
    page = response.content.decode()
    assert response.status_code == 413
    assert TOO_LARGE in page and "拆分" in page
    assert "topbar" in page  # the site's look, with its header
    assert not ImportBatch.objects.exists()


def test_the_refusal_offers_the_way_back_to_the_upload_page(client, alice):
    client.force_login(alice)
    upload_page = "http://testserver" + reverse("portal:import_new")
    response = declared_post(
        client, reverse("portal:import_new"), 60 * MB, HTTP_REFERER=upload_page
    )
    assert f'href="{upload_page}"' in response.content.decode()
    elsewhere = declared_post(
        client, reverse("portal:import_new"), 60 * MB, HTTP_REFERER="https://evil.example/x"
    )
    assert "evil.example" not in elsewhere.content.decode()


def test_an_admin_upload_over_the_limit_is_refused_in_the_admins_look(client, sam):
    client.force_login(sam)
    response = declared_post(client, "/admin/dues/declaration/upload/", 60 * MB)
    assert response.status_code == 413
    assert "admin/base_site.html" in [template.name for template in response.templates]
    assert TOO_LARGE in response.content.decode()


def test_the_api_gets_the_same_sentence_as_json(client, alice):
    client.force_login(alice)
    response = declared_post(client, "/api/v1/members/", 60 * MB, HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert TOO_LARGE in json.loads(response.content)["detail"]


def test_an_aid_scan_body_over_the_limit_is_refused_before_it_is_read(client, alice):
    client.force_login(alice)
    response = declared_post(client, reverse("services_portal:aid_apply"), 60 * MB)
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()


def test_a_body_within_the_limit_still_reaches_its_page(
    client, alice, acme, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    roster = SimpleUploadedFile("花名册.xlsx", samples.xlsx(samples.people(3, [ACME])))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import_new"), {"file": roster})
    assert response.status_code == 302
    assert ImportBatch.objects.get().state == ImportBatch.State.PREVIEWED


# --- the handler, while the body streams in -------------------------------------


def test_a_file_growing_past_the_limit_stops_the_parsing(client, alice, settings):
    """The headers may understate or the request limit may be generous: the
    file itself is counted as it arrives, and the rest is never read."""
    settings.IMPORT_MAX_FILE_BYTES = 2 * MB
    settings.UPLOAD_MAX_REQUEST_BYTES = 64 * MB
    client.force_login(alice)
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("花名册.xlsx", b"x" * 20 * MB)})
    stream = CountingInput(body)
    response = client.generic(
        "POST",
        reverse("portal:import_new"),
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert "文件超过 2 MB" in response.content.decode()
    assert stream.consumed < 3 * MB  # the limit and a chunk, not the 20 MB
    assert not ImportBatch.objects.exists()


# --- every door that takes a file refuses in Chinese ------------------------------

#: A title line longer than the csv module accepts (128 K characters) above
#: the header: every importer meets it first, while looking for the header.
HUGE_CELL_CSV = ("说明" * 100_000 + "\n纳税人识别号,纳税人名称,姓名,身份证号\n").encode()


def test_roster_door_a_sheet_larger_than_the_cell_limit_fails_the_batch_in_chinese(
    client, alice, acme, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_CELLS = 500  # 63 rows x 13 columns = 819 cells
    client.force_login(alice)
    roster = SimpleUploadedFile("花名册.xlsx", samples.xlsx(samples.people(60, [ACME])))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_new"), {"file": roster})
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED
    assert "单元格" in batch.message and "500" in batch.message
    page = client.get(reverse("portal:import_detail", args=[batch.pk])).content.decode()
    assert "单元格" in page


def test_declarations_door_a_broken_csv_fails_the_import_in_chinese_not_a_500(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    from dues.models import DeclarationImport
    from tests.import_flow import job_url, upload

    client.force_login(sam)
    client.raise_request_exception = False
    path_ = tmp_path / "申报明细.csv"
    path_.write_bytes(HUGE_CELL_CSV)
    job = upload(client, django_capture_on_commit_callbacks, DeclarationImport, path_)
    assert job.state == DeclarationImport.State.FAILED and not job.file
    assert "无法读取这个 CSV 文件" in client.get(job_url(job)).content.decode()


def test_sheets_door_a_broken_sign_in_sheet_fails_the_import_in_chinese_not_a_500(
    client, sam, tmp_path, django_capture_on_commit_callbacks
):
    from services.models import SheetImport
    from tests.import_flow import job_url, upload

    event = training()
    client.force_login(sam)
    client.raise_request_exception = False
    path_ = tmp_path / "签到表.csv"
    path_.write_bytes(HUGE_CELL_CSV)
    job = upload(client, django_capture_on_commit_callbacks, SheetImport, path_, event=event.pk)
    assert job.state == SheetImport.State.FAILED
    assert "无法读取这个 CSV 文件" in client.get(job_url(job)).content.decode()


def test_enterprises_door_a_broken_file_is_exit_2_with_a_chinese_sentence(tmp_path, capsys):
    path_ = tmp_path / "企业.csv"
    path_.write_bytes(HUGE_CELL_CSV)
    with pytest.raises(SystemExit) as exit_:
        call_command("import_enterprises", str(path_))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "无法读取这个 CSV 文件" in err and "Traceback" not in err


# --- the error pages --------------------------------------------------------------


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("", include("chunshu_union.urls")),
]


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_chinese_page_not_djangos_bare_english(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in page and "没有保存" in page
    assert "Server Error" not in page


@pytest.mark.urls(__name__)
def test_a_forbidden_page_is_a_chinese_page(client, alice):
    client.force_login(alice)
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "无权打开这个页面" in response.content.decode()


def test_a_missing_page_is_a_chinese_page(client, alice):
    client.force_login(alice)
    response = client.get("/portal/no-such-page/")
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_a_garbled_upload_is_a_chinese_400_page(client, alice):
    client.force_login(alice)
    client.raise_request_exception = False
    response = client.generic(
        "POST",
        reverse("portal:import_new"),
        data=b"--not-the-boundary\r\nrubbish",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert "无法处理这个请求" in response.content.decode()
