"""The demo dashboard over HTTP: what its pages show, its door, and its own endpoints.

The browser drives it in test_dashboard_browser.py; these check the server's side.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.helpers import IMAGES, error
from ulmock.ui.access import COOKIE
from ulmock.ui.charts import curve, training_charts

UI = "/_ulmock/ui"
DOG = IMAGES / "dog.jpg"
demo = pytest.mark.ulmock(scenario="demo")
guarded = pytest.mark.ulmock(scenario="demo", admin_token="s3cret-admin")


def street_scenes(ulmock) -> str:
    with ulmock.emulator.lock:
        acme = ulmock.platform.accounts.by_username("acme-vision")
        return next(d.id for d in ulmock.platform.world.datasets(acme.id).values() if d.name == "Street Scenes")


@demo
def test_overview_names_every_account_with_plan_balance_and_key(ulmock):
    page = ulmock.client.get(f"{UI}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for username, plan, key in [
        ("lena", "free", "ul_8afe15b890bf8be6114349b59ada61102bda20bf"),
        ("acme-vision", "pro", "ul_f8a4be67435ee1949c942d5dc740cd98d9850ad0"),
        ("globex", "enterprise", "ul_a5a5254eb807626449b93b5572770b6a740220ae"),
    ]:
        row = re.search(rf'<tr data-account="{username}">(.*?)</tr>', page.text, re.S)
        assert row, username
        assert f'class="plan {plan}"' in row.group(1)
        assert f'data-copy="{key}"' in row.group(1)
    acme = re.search(r'<tr data-account="acme-vision">(.*?)</tr>', page.text, re.S).group(1)
    assert 'title="cash $120.00, credit $5.00' in acme  # the scenario's balance plus the sign-up credit
    assert "<strong data-scenario>demo</strong>" in page.text


@demo
def test_the_training_curve_gains_a_point_per_epoch(ulmock):
    def epochs_drawn() -> list[int]:
        html = ulmock.client.get(f"{UI}/live/overview").text
        return [int(n) for n in re.findall(r'data-epochs-done="(\d+)"', html)]

    assert epochs_drawn() == [0, 0]  # the demo's training is queued: loss and mAP charts, empty
    ulmock.clock.advance(minutes=2)
    with ulmock.emulator.lock:
        done = next(iter(t for a in ulmock.platform.world.trainings.by_account.values() for t in a.values()))
        epochs = done.current_epoch
    assert epochs > 0
    assert epochs_drawn() == [epochs, epochs]


def test_curves_span_the_planned_epochs_and_fit_the_view():
    history = [{"epoch": 1, "metrics/mAP50(B)": 0.2}, {"epoch": 2, "metrics/mAP50(B)": 0.4}]
    chart = curve("mAP", history, 11, [("metrics/mAP50(B)", "mAP50", "s1")], y_max=1.0)
    (line,) = chart.lines
    points = [tuple(map(float, p.split(","))) for p in line.points.split()]
    assert points[0][0] == chart.left  # epoch 1 at the left edge...
    assert points[1][0] == pytest.approx(chart.left + (chart.right - chart.left) / 10)  # ...epoch 2 a tenth along
    assert points[1][1] < points[0][1]  # higher mAP is higher up
    assert chart.top <= min(p[1] for p in points) and max(p[1] for p in points) <= chart.bottom
    assert [c.title for c in training_charts([], 5)] == ["Loss", "mAP"]
    assert all(not c.lines and c.epochs_done == 0 for c in training_charts([], 5))


@demo
def test_the_dashboards_own_requests_stay_out_of_the_journal(ulmock):
    ulmock.client.get("/api/projects")
    for path in ("/", "/live/overview", "/accounts/lena", "/playground", "/static/dashboard.js"):
        assert ulmock.client.get(UI + path).status_code == 200
    assert [(e.method, e.path) for e in ulmock.requests()] == [("GET", "/api/projects")]
    assert "/api/projects" in ulmock.client.get(f"{UI}/live/overview").text


@demo
def test_account_page_shows_projects_models_datasets_deployments_and_billing(ulmock):
    html = ulmock.client.get(f"{UI}/accounts/acme-vision").text
    for text in (
        "Traffic Analytics",
        "street-detector-v1",
        "mAP50(B) 0.612",
        "Street Scenes",
        "Warehouse Pallets",
        "street-detector-v1 (us-central1)",
        "Deployment created for model",
        "Open a top-up checkout",
        f"{UI}/datasets/{street_scenes(ulmock)}",
    ):
        assert text in html, text
    assert ulmock.client.get(f"{UI}/live/accounts/acme-vision").text.count('data-model="') == 2
    missing = ulmock.client.get(f"{UI}/accounts/nobody")
    assert missing.status_code == 404 and "No such account" in missing.text


@demo
def test_gallery_draws_each_yolo_label_as_a_box_in_image_pixels(ulmock):
    dataset_id = street_scenes(ulmock)
    html = ulmock.client.get(f"{UI}/datasets/{dataset_id}").text
    tile = re.search(r'<figure class="tile" data-image="dog.jpg" data-boxes="(\d+)">(.*?)</figure>', html, re.S)
    assert tile and int(tile.group(1)) == 3
    with ulmock.emulator.lock:
        dataset = ulmock.platform.datasets.find_any(dataset_id)
        dog = next(i for i in dataset.images if i.file == "dog.jpg")
        cls, cx, cy, w, h = dog.annotations["boxes"][0]
    x, y = round((cx - w / 2) * dog.width, 1), round((cy - h / 2) * dog.height, 1)
    assert f'viewBox="0 0 {dog.width} {dog.height}"' in tile.group(2)
    assert f'<rect x="{x}" y="{y}" width="{round(w * dog.width, 1)}"' in tile.group(2)
    assert f">{dataset.class_names[cls]}</span>" in tile.group(2)
    image = ulmock.client.get(f"{UI}/api/datasets/{dataset_id}/images/dog.jpg")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content == DOG.read_bytes()
    error(ulmock.client.get(f"{UI}/api/datasets/{dataset_id}/images/nope.jpg"), 404, "NOT_FOUND")


@demo
def test_playground_predicts_with_the_apis_engine(ulmock):
    with ulmock.emulator.lock:
        model = next(iter(t for a in ulmock.platform.world.models.by_account.values() for t in a.values()))
    files = {"file": ("dog.jpg", DOG.read_bytes(), "image/jpeg")}
    ours = ulmock.client.post(f"{UI}/api/predict", files=files, data={"modelId": model.id})
    with ulmock.emulator.lock:  # the same model, asked through the API by its owner
        secret = next(iter(ulmock.platform.world.api_keys(model.account_id).values())).secret
    theirs = ulmock.http_client(secret).post(f"/api/models/{model.id}/predict", files=files)
    assert ours.status_code == theirs.status_code == 200
    assert ours.json() == theirs.json()
    assert any(p["class"] == "dog" for p in ours.json()["predictions"])
    assert ours.headers["X-Ulmock-Network"] == theirs.headers["X-Ulmock-Network"]
    assert ours.headers["X-Image-Size"] == "768x576"


@demo
def test_playground_refuses_bad_input_in_the_error_envelope(ulmock):
    image = {"file": ("dog.jpg", DOG.read_bytes(), "image/jpeg")}
    error(ulmock.client.post(f"{UI}/api/predict", data={"conf": "0.5"}), 400, "VALIDATION_ERROR")
    error(
        ulmock.client.post(f"{UI}/api/predict", content=b"{}", headers={"content-type": "application/json"}),
        400,
        "VALIDATION_ERROR",
    )
    error(
        ulmock.client.post(f"{UI}/api/predict", files={"file": ("x.jpg", b"not an image", "image/jpeg")}),
        400,
        "VALIDATION_ERROR",
    )
    error(ulmock.client.post(f"{UI}/api/predict", files=image, data={"conf": "lots"}), 400, "VALIDATION_ERROR")
    error(ulmock.client.post(f"{UI}/api/predict", files=image, data={"modelId": "model_nope"}), 404, "NOT_FOUND")
    assert ulmock.client.get(f"{UI}/api/predict").status_code == 405


@demo
def test_unknown_dashboard_pages_are_an_html_404(ulmock):
    r = ulmock.client.get(f"{UI}/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert ulmock.client.get(UI, follow_redirects=False).headers["location"] == f"{UI}/"


# -- the admin token -------------------------------------------------------------------
@guarded
def test_with_an_admin_token_the_dashboard_is_locked_and_never_shows_it(ulmock):
    anonymous = httpx.Client(base_url=ulmock.url)
    for path in ("/", "/live/overview", "/accounts/lena", "/playground"):
        r = anonymous.get(UI + path)
        assert r.status_code == 401 and "needs the admin token" in r.text
        assert "s3cret-admin" not in r.text
    wrong = anonymous.get(f"{UI}/?token=guess")
    assert (
        wrong.status_code == 401
        and "not the admin token" in wrong.text
        and COOKIE not in wrong.headers.get("set-cookie", "")
    )
    error(anonymous.post(f"{UI}/api/predict"), 401, "UNAUTHORIZED")
    anonymous.close()


@guarded
def test_the_token_once_in_the_address_sets_a_cookie_and_leaves_the_address(ulmock):
    browser = httpx.Client(base_url=ulmock.url)
    r = browser.get(f"{UI}/accounts/lena?token=s3cret-admin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{UI}/accounts/lena"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and f"Path={UI}" in cookie
    assert "s3cret-admin" not in cookie  # a digest, not the token
    page = browser.get(r.headers["location"])
    assert page.status_code == 200 and "Pets and Friends" in page.text
    # The page's script needs the token for the control API, which takes only the bearer header.
    assert '<meta name="ulmock-admin-token" content="s3cret-admin">' in page.text
    assert browser.post("/_ulmock/reset").status_code == 401
    browser.close()
    bearer = httpx.Client(base_url=ulmock.url, headers={"Authorization": "Bearer s3cret-admin"})
    assert bearer.get(f"{UI}/live/overview").status_code == 200
    bearer.close()
    # A bare token is refused here as on the control API: the scheme is part of the door.
    bare = httpx.Client(base_url=ulmock.url, headers={"Authorization": "s3cret-admin"})
    assert bare.get(f"{UI}/live/overview").status_code != 200
    assert bare.post("/_ulmock/reset").status_code == 401
    bare.close()


@demo
def test_names_with_markup_are_shown_as_text_and_wrong_methods_are_refused(ulmock):
    acme = ulmock.http_client("ul_f8a4be67435ee1949c942d5dc740cd98d9850ad0")
    assert acme.post("/api/projects", json={"name": "<script>alert(1)</script>"}).status_code == 201
    html = ulmock.client.get(f"{UI}/accounts/acme-vision").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    before = ulmock.emulator.snapshot()["world"]
    error(ulmock.client.post(f"{UI}/"), 405, "VALIDATION_ERROR")
    error(ulmock.client.delete(f"{UI}/live/overview"), 405, "VALIDATION_ERROR")
    error(ulmock.client.put(f"{UI}/api/predict"), 405, "VALIDATION_ERROR")
    assert ulmock.emulator.snapshot()["world"] == before
