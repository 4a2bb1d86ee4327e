"""Managers may call the team to any incident (an incident's lead may call to theirs)."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

ROLES = {"Managers": ["team.add_callout", "team.view_callout"], "Comms": ["team.view_callout"]}


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("team", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
