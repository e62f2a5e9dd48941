"""Explore search and following users, through the official client."""

from __future__ import annotations

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")


@pytest.fixture
def public_work(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    """Public and private projects of two workspaces, a minute apart, beside the demo's public
    dataset (globex/site-safety)."""
    client.projects.create(
        project="bird-watch",
        name="Bird Watch",
        description="Feeder camera birds",
        visibility="public",
        tags=["wildlife"],
    )
    ulmock.clock.advance(60)
    client.projects.create(project="secret-plans", name="Secret Plans", visibility="private")
    ulmock.clock.advance(60)
    stranger.projects.create(
        project="street-birds", name="Street Birds", description="Pigeons at crossings", visibility="public"
    )
    ulmock.clock.advance(60)
    stranger.projects.create(project="zebra-count", name="Zebra Count", visibility="public")


def test_search_finds_public_work_of_every_workspace_and_nothing_private(client: Platform, public_work: None) -> None:
    found = typed("ExploreSearchResponse", client.explore.search())
    assert sorted(p["project"] for p in found["projects"]) == ["bird-watch", "street-birds", "zebra-count"]
    assert all(p["visibility"] == "public" for p in found["projects"])
    assert [(d["owner"], d["dataset"]) for d in found["datasets"]] == [("globex", "site-safety")]
    assert found["hasMore"] is False


def test_a_query_matches_names_descriptions_and_class_names(client: Platform, public_work: None) -> None:
    birds = client.explore.search(q="birds", type="projects", sort="name-asc")
    assert [p["project"] for p in birds["projects"]] == ["bird-watch", "street-birds"] and birds["datasets"] == []
    assert [p["project"] for p in client.explore.search(q="pigeons")["projects"]] == ["street-birds"]
    assert [p["project"] for p in client.explore.search(q="wildlife feeder")["projects"]] == ["bird-watch"]
    assert client.explore.search(q="birds zebra")["projects"] == []  # every word must match
    # The demo's dataset has the darknet classes: a class name finds it
    giraffes = typed("ExploreSearchResponse", client.explore.search(q="giraffe", type="datasets"))["datasets"]
    assert [d["dataset"] for d in giraffes] == ["site-safety"]
    assert "giraffe" in giraffes[0]["classNames"]


def test_relevance_ranks_a_name_match_above_a_description_match(client: Platform, stranger: Platform) -> None:
    client.projects.create(project="notes", name="Notes", description="about cats", visibility="public")
    stranger.projects.create(project="cats", name="Cats", visibility="public")
    ranked = client.explore.search(q="cats", sort="relevance", type="projects")["projects"]
    assert [p["project"] for p in ranked] == ["cats", "notes"]


def test_datasets_show_their_real_contents(client: Platform, ulmock: Ulmock) -> None:
    site = client.explore.search(type="datasets")["datasets"][0]
    assert site["imageCount"] == 6 and site["task"] == "detect"
    assert site["splits"]["train"] + site["splits"]["val"] + site["splits"]["test"] == 6
    assert site["splits"]["labeled"] == 5  # scream.jpg has no boxes
    assert site["totalBytes"] > 0 and 1 <= len(site["sampleImages"]) <= 4
    sample = site["sampleImages"][0]
    assert sample["labels"] and all(0 <= v <= 1 for v in sample["labels"][0]["bbox"])
    image = httpx.get(sample["url"])
    assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"  # the photo itself


def test_explore_and_the_dataset_itself_count_splits_and_labels_alike(client: Platform) -> None:
    site = client.explore.search(type="datasets")["datasets"][0]
    own = client.datasets.retrieve(site["owner"], site["dataset"])["dataset"]
    assert site["splits"] == own["splits"]  # labeled: an image with at least one box, in both


def test_pagination_filters_and_sorts(client: Platform, public_work: None) -> None:
    first = client.explore.search(type="projects", sort="name-asc", limit=2)
    assert [p["project"] for p in first["projects"]] == ["bird-watch", "street-birds"] and first["hasMore"] is True
    rest = client.explore.search(type="projects", sort="name-asc", limit=2, offset=2)
    assert [p["project"] for p in rest["projects"]] == ["zebra-count"] and rest["hasMore"] is False
    newest = [p["project"] for p in client.explore.search(type="projects")["projects"]]
    assert newest == ["zebra-count", "street-birds", "bird-watch"]
    assert [p["project"] for p in client.explore.search(type="projects", sort="oldest")["projects"]] == newest[::-1]
    assert [p["project"] for p in client.explore.search(author="stranger")["projects"]] == [
        "zebra-count",
        "street-birds",
    ]
    assert client.explore.search(author="stranger")["datasets"] == []
    assert client.explore.search(task="segment")["datasets"] == []
    assert len(client.explore.search(task="detect,segment")["datasets"]) == 1
    assert client.explore.search(min_images=7)["datasets"] == []
    assert len(client.explore.search(min_images=6, max_images=6)["datasets"]) == 1
    assert client.explore.search(license="MIT") == {"projects": [], "datasets": [], "hasMore": False}


def test_starred_shows_only_what_the_caller_starred(client: Platform, ulmock: Ulmock, public_work: None) -> None:
    assert client.explore.search(starred="true")["projects"] == []
    client.projects.update(ulmock.username, "bird-watch", starred=True)
    starred = client.explore.search(starred="true")
    assert [p["project"] for p in starred["projects"]] == ["bird-watch"] and starred["projects"][0]["starCount"] == 1
    ranked = client.explore.search(sort="stars", type="projects")["projects"]
    assert ranked[0]["project"] == "bird-watch"


def test_bad_search_parameters_are_400(client: Platform) -> None:
    refused(lambda: client.explore.search(limit=0), 400)
    refused(lambda: client.explore.search(limit=101), 400)
    refused(lambda: client.explore.search(offset=-1), 400)
    refused(lambda: client.explore.search(task="teleport"), 400)
    refused(lambda: client.explore.search(min_images=5, max_images=2), 400)
    refused(lambda: client.explore.search(sort="random"), 400)  # type: ignore[arg-type]
    refused(lambda: client.explore.search(author="no body"), 400)


def test_follow_and_unfollow_change_the_profile(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    state = typed("AccountFollowResponse", client.account.follow(username="stranger", followed=True))
    assert state == {"followed": True, "followerCount": 1}
    assert client.account.follow(username="stranger", followed=True) == state  # twice is once
    profile = client.account.profile(username="stranger")["user"]
    assert profile["followerCount"] == 1 and profile["isFollowed"] is True
    seen_by_them = stranger.account.profile(username="stranger")["user"]
    assert seen_by_them["followerCount"] == 1 and seen_by_them["isFollowed"] is False
    stranger.account.follow(username=ulmock.username, followed=True)
    assert client.account.follow(username="stranger", followed=False) == {"followed": False, "followerCount": 0}
    assert client.account.profile(username=ulmock.username)["user"]["followerCount"] == 1


def test_follow_refusals(client: Platform, ulmock: Ulmock) -> None:
    assert "yourself" in refused(lambda: client.account.follow(username=ulmock.username, followed=True), 400)["error"]
    assert refused(lambda: client.account.follow(username="nobody-here", followed=True), 404) == {
        "error": "User not found"
    }
    refused(lambda: client.account.follow(username="bad name!", followed=True), 400)
    refused(lambda: client.account.follow(username="globex", followed="yes"), 400)  # type: ignore[arg-type]
    assert client.account.profile(username="globex")["user"]["followerCount"] == 0


def test_image_search_finds_what_images_show(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    found = typed("ExploreSearchResponse", client.explore.search(q="giraffe", type="images"))
    images = found["images"]
    # giraffe.jpg of the caller's own (private) set and of globex's public one; never a stranger's private one
    assert {(i["name"], i["dataset"]["owner"]) for i in images} == {
        ("giraffe.jpg", ulmock.username),
        ("giraffe.jpg", "globex"),
    }
    assert found["projects"] == [] and found["datasets"] == [] and all(0 < i["score"] <= 1 for i in images)
    # horses.jpg shows only horses; person.jpg a horse beside a person and a dog: it ranks below
    horses = client.explore.search(q="horse", type="images", author=ulmock.username)["images"]
    assert next((i["name"], i["score"]) for i in horses) == ("horses.jpg", 1.0)
    assert [i["name"] for i in horses] == ["horses.jpg", "person.jpg"] and horses[1]["score"] < 1
    assert stranger.explore.search(q="giraffe", type="images")["images"][0]["dataset"]["owner"] == "globex"
    assert len(stranger.explore.search(q="giraffe", type="images")["images"]) == 1
    assert client.explore.search(q="unicorn", type="images")["images"] == []
    page = client.explore.search(q="dog", type="images", limit=1)
    assert len(page["images"]) == 1 and page["hasMore"] is True
