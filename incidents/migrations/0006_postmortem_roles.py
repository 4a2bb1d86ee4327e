"""Let Comms and Managers write post-mortems (closing with one stays a manager's permission)."""

from django.db import migrations

from crisis.roles import create_permissions_now, sync_roles

# Frozen here: later migrations add the permissions of later models.
ROLES = {
    "Comms": [
        "incidents.view_postmortem",
        "incidents.add_postmortem",
        "incidents.change_postmortem",
    ],
}
ROLES["Managers"] = ROLES["Comms"]


def forwards(apps, schema_editor):
    create_permissions_now(apps)
    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_postmortem"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
