"""Comms write and edit approved lines; managers also approve their wording."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

WRITE = ["lines.view_approvedline", "lines.add_approvedline", "lines.change_approvedline"]
ROLES = {"Comms": WRITE, "Managers": [*WRITE, "lines.approve_approvedline"]}


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("lines", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
