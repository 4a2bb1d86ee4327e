"""Comms log and answer media inquiries; managers also approve answers in new wording."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

WRITE = ["press.view_mediainquiry", "press.add_mediainquiry", "press.change_mediainquiry"]
ROLES = {"Comms": WRITE, "Managers": [*WRITE, "press.approve_mediainquiry"]}


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("press", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
