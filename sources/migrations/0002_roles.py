"""Comms and Managers keep the sources (PRODUCT.md: they bring mentions in)."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

KEEP = ["sources.view_source", "sources.add_source", "sources.change_source"]
ROLES = {"Comms": [*KEEP, "sources.delete_source"], "Managers": [*KEEP, "sources.delete_source"]}


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_sources_and_allowed_hosts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
