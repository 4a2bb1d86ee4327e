"""Comms and managers log rumours and keep them."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

WRITE = ["rumours.view_rumour", "rumours.add_rumour", "rumours.change_rumour"]
ROLES = {"Comms": WRITE, "Managers": WRITE}


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("rumours", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
