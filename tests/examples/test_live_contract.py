import pytest
from ultralytics_platform import APIError, Platform


@pytest.mark.ulmock(scenario="demo", api="platform")
def test_the_official_client_against_ulmock(ulmock):
    with Platform(api_key=ulmock.api_key, base_url=ulmock.url, max_retries=0) as client:
        created = client.projects.create(project="garden-cams", name="Garden Cams")
        assert created["owner"] == "lena" and len(created["id"]) == 24
        with pytest.raises(APIError) as taken:
            client.projects.create(project="garden-cams", name="Again")
        assert taken.value.status_code == 409 and "error" in taken.value.json
        pets = client.datasets.retrieve("lena", "pets-and-friends")["dataset"]
        assert pets["imageCount"] == 6 and pets["status"] == "ready"
