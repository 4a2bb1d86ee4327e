import pytest


@pytest.fixture
def playbooks(db):
    """The playbooks that come with the app, present even after a database flush."""
    from tests import factories

    factories.load_playbooks()
