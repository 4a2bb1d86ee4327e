import pytest


@pytest.fixture
def second_manager(db):
    from tests import factories

    return factories.make_manager("second-manager")


@pytest.fixture
def playbooks(db):
    """The playbooks that come with the app, present even after a database flush."""
    from tests import factories

    factories.load_playbooks()
