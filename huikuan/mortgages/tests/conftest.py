import pytest


@pytest.fixture
def seeded_templates():  # type: ignore[no-untyped-def]
    """Keep the document templates the migration seeds (other tests build their own checklists)."""
    return True


@pytest.fixture(autouse=True)
def _no_seeded_templates(request):  # type: ignore[no-untyped-def]
    if "seeded_templates" in request.fixturenames or not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from huikuan.mortgages.models import DocumentTemplate

    DocumentTemplate.objects.all().delete()
