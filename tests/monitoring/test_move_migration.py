"""The mention models moved from incidents to monitoring without copying a row (issue 22).

A database made before the move (migrated back to incidents 0017, rows written through that
state's models) is migrated forward: the rows are read through the new app's models, the
content types keep their ids under the new label, and the roles keep their permissions."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crisis.roles import ACT_ON_MENTIONS, COMMS
from incidents.models import Incident
from monitoring.models import ApiToken, Mention, MentionCount, SpikeThreshold
from tests import factories

BEFORE = [("incidents", "0017_platform_mastodon"), ("monitoring", None)]
MOVED = ["mention", "mentioncount", "apitoken", "spikethreshold", "csvcolumnmapping"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(transactional_db):
    # The roles' groups, made now: a flushed database lost those of the migrations, and the
    # roles of today name the permissions by their new label.
    factories.make_comms("factory-comms")
    executor = migrate(BEFORE)
    yield executor.loader.project_state(BEFORE[0]).apps
    migrate(latest())


def test_a_database_made_before_the_move_keeps_its_rows(before_the_move):
    old = before_the_move
    assert ("monitoring", "mention") not in {
        (m._meta.app_label, m._meta.model_name) for m in old.get_models()
    }
    incident = factories.make_incident()
    OldMention = old.get_model("incidents", "Mention")
    posted = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    kept = OldMention.objects.create(
        platform="x",
        external_id="before-1",
        text="Still waiting for my parcel",
        posted_at=posted,
        sentiment_label="negative",
        reach=4200,
        source="api:before",
        incident_id=incident.pk,
    )
    old.get_model("incidents", "MentionCount").objects.create(
        incident_id=incident.pk, hour=posted, sentiment_label="negative", n=1
    )
    old.get_model("incidents", "SpikeThreshold").objects.create(multiple=4, minimum_volume=30)
    old.get_model("incidents", "ApiToken").objects.create(
        name="Brandwatch", key_prefix="abcd1234", secret_hash="0" * 64
    )
    OldContentType = old.get_model("contenttypes", "ContentType")
    ids = dict(
        OldContentType.objects.filter(app_label="incidents", model__in=MOVED).values_list(
            "model", "pk"
        )
    )
    assert sorted(ids) == sorted(MOVED)
    comms = old.get_model("auth", "Group").objects.get(name=COMMS)
    assert comms.permissions.filter(
        content_type_id=ids["mention"], codename="change_mention"
    ).exists()

    migrate(latest())
    ContentType.objects.clear_cache()

    mention = Mention.objects.get(external_id="before-1")
    assert mention.pk == kept.pk and mention.incident == incident and mention.reach == 4200
    assert list(incident.mentions.all()) == [mention]
    assert MentionCount.objects.get(incident=incident).n == 1
    assert SpikeThreshold.objects.get().minimum_volume == 30
    assert ApiToken.objects.get().name == "Brandwatch"
    assert Mention._meta.db_table == "incidents_mention"
    # The same content types under the new label: no new ones, none left behind.
    assert (
        dict(
            ContentType.objects.filter(app_label="monitoring", model__in=MOVED).values_list(
                "model", "pk"
            )
        )
        == ids
    )
    assert not ContentType.objects.filter(app_label="incidents", model__in=MOVED).exists()
    assert ContentType.objects.get_for_model(Mention).pk == ids["mention"]
    # The role keeps its permissions, now read by their new name.
    assert (
        Group.objects.get(name=COMMS)
        .permissions.filter(content_type__app_label="monitoring", codename="change_mention")
        .exists()
    )
    person = factories.make_comms("after")
    assert person.has_perm(ACT_ON_MENTIONS) and ACT_ON_MENTIONS == "monitoring.change_mention"
    assert not Incident.objects.exclude(pk=incident.pk).exists()


def test_going_back_labels_the_content_types_back(before_the_move):
    assert ContentType.objects.filter(app_label="incidents", model="mention").exists()
    assert not ContentType.objects.filter(app_label="monitoring", model="mention").exists()
    migrate(latest())
    assert ContentType.objects.filter(app_label="monitoring", model="mention").exists()
    assert not ContentType.objects.filter(app_label="incidents", model="mention").exists()
